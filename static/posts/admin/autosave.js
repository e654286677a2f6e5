// The entry form's autosave (posts/editorial/autosave.py): the title, body, excerpt and tags
// go to the server a few seconds after typing stops and when the page is left. Until the
// server has them they are kept in this browser too (localStorage), so that an ended session
// or a lost connection loses nothing: the form offers them again after logging in.
// It also says who else has the entry open, and when it was saved since this form opened.
"use strict";
(function () {
  var dataNode = document.getElementById("autosave-data");
  var form = document.getElementById("entry_form");
  if (!dataNode || !form) {
    return;
  }
  var config = JSON.parse(dataNode.textContent);
  var FIELDS = ["title", "body", "excerpt", "tags"];
  var DELAY = 2000; // after the last keystroke
  var LOCAL_DELAY = 400;
  var HEARTBEAT = 30000;
  var RETRY = 15000;

  var inputs = {};
  FIELDS.forEach(function (name) {
    var input = form.querySelector("#id_" + name);
    inputs[name] = input && !input.readOnly ? input : null;
  });
  if (!inputs.title || !inputs.body) {
    return; // a read-only entry: nothing to keep
  }
  var statusNode = document.getElementById("autosave-status");
  var alertNode = document.getElementById("autosave-alert");
  var othersNode = document.getElementById("autosave-others");
  var versionInput = form.querySelector("input[name=loaded_version]");
  var token = Date.now().toString(36) + Math.random().toString(36).slice(2);
  var tokenInput = document.getElementById("autosave-token");
  if (tokenInput) {
    tokenInput.value = token;
  }

  function current() {
    var text = {};
    FIELDS.forEach(function (name) {
      text[name] = inputs[name] ? inputs[name].value.replace(/\r\n/g, "\n") : "";
    });
    return text;
  }

  function same(a, b) {
    return (
      !!a &&
      !!b &&
      FIELDS.every(function (name) {
        return (a[name] || "") === (b[name] || "");
      })
    );
  }

  function isEmpty(text) {
    return FIELDS.every(function (name) {
      return !text[name];
    });
  }

  // What the server is known to hold. A form drawn again after a refused save holds text
  // the server does not have: send it soon.
  var known = config.posted ? null : current();
  var saveTimer = null;
  var localTimer = null;
  var retryTimer = null;
  var inFlight = false;
  var submitting = false;
  var expired = false;
  // Text offered for restoring is not overwritten until the writer restores or discards it:
  // the server's autosave (offered by the page) and this browser's copy (offered below).
  var pending = { server: !!document.getElementById("autosave-offer"), local: false };

  // This browser's copy.

  function readLocal() {
    try {
      return JSON.parse(window.localStorage.getItem(config.storage_key));
    } catch (err) {
      return null; // storage off, or not ours: there is simply no copy
    }
  }

  function writeLocal(text) {
    try {
      window.localStorage.setItem(
        config.storage_key,
        JSON.stringify({ text: text, at: Date.now(), token: token })
      );
    } catch (err) {
      // Full or forbidden: the server copy is all there is; nothing to do here.
    }
  }

  function clearLocal(onlyIf) {
    var item = readLocal();
    if (item && (!onlyIf || same(item.text, onlyIf))) {
      window.localStorage.removeItem(config.storage_key);
    }
  }

  // Talking to the server.

  function cookieToken() {
    var match = document.cookie.match(
      new RegExp("(?:^|;\\s*)" + config.csrf_cookie + "=([^;]+)")
    );
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken() {
    var fromCookie = cookieToken();
    if (fromCookie) {
      // After logging in again (in another tab) the token changed: the form's Save needs
      // the new one as much as the autosave does.
      form.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
        input.value = fromCookie;
      });
      return fromCookie;
    }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function payload(action, text) {
    var data = new FormData();
    data.append("action", action);
    data.append("csrfmiddlewaretoken", csrfToken());
    if (text) {
      FIELDS.forEach(function (name) {
        data.append(name, text[name]);
      });
    }
    return data;
  }

  function send(action, text) {
    return window
      .fetch(config.url, {
        method: "POST",
        body: payload(action, text),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        redirect: "manual",
      })
      .then(function (response) {
        return response.json().then(
          function (data) {
            return { response: response, data: data };
          },
          function () {
            return { response: response, data: null };
          }
        );
      });
  }

  function say(message) {
    statusNode.textContent = message;
  }

  function showExpired(loginUrl) {
    expired = true;
    alertNode.textContent = "";
    alertNode.appendChild(
      document.createTextNode(
        "Your session has ended, so your text is not reaching the server. It is kept in " +
          "this browser meanwhile. "
      )
    );
    var link = document.createElement("a");
    link.href = loginUrl || config.login_url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = "Log in again in a new tab";
    alertNode.appendChild(link);
    alertNode.appendChild(
      document.createTextNode(": your text is saved as soon as you are back here.")
    );
    alertNode.hidden = false;
  }

  function hideExpired() {
    expired = false;
    alertNode.hidden = true;
    alertNode.textContent = "";
  }

  function retryLater(ms) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(retry, ms || RETRY);
  }

  function retry() {
    if (same(current(), known)) {
      heartbeat(true);
    } else {
      save();
    }
  }

  function failed(result) {
    var response = result.response;
    var data = result.data || {};
    if (
      response.type === "opaqueredirect" ||
      response.status === 401 ||
      data.code === "login" ||
      data.code === "csrf" ||
      (response.status === 403 && !result.data)
    ) {
      showExpired(data.login_url);
      retryLater();
      return;
    }
    if (response.status === 429) {
      say(data.error);
      retryLater(1000 * (parseInt(response.headers.get("Retry-After"), 10) || 30));
      return;
    }
    say(
      (data.error || "Not autosaved (the server answered " + response.status + ").") +
        " Your text is kept in this browser."
    );
    if (response.status >= 500) {
      retryLater();
    }
  }

  function offline() {
    inFlight = false;
    say("Not autosaved: the server cannot be reached. Your text is kept in this browser.");
    retryLater();
  }

  function save() {
    window.clearTimeout(saveTimer);
    saveTimer = null;
    var text = current();
    if (same(text, known) || submitting) {
      return;
    }
    if (pending.server) {
      say(
        "Not autosaved yet: restore or discard the autosaved text above first. Until then " +
          "your new text is kept in this browser."
      );
      return;
    }
    if (inFlight) {
      saveTimer = window.setTimeout(save, DELAY);
      return;
    }
    inFlight = true;
    send("save", text).then(function (result) {
      inFlight = false;
      if (!result.response.ok || !result.data) {
        failed(result);
        return;
      }
      known = text;
      clearLocal(text);
      var wasExpired = expired;
      hideExpired();
      say((wasExpired ? "Back in: autosaved at " : "Autosaved at ") + result.data.saved_at + ".");
      showEditors(result.data);
    }, offline);
  }

  function heartbeat(force) {
    // Only an entry has others to tell of; on the add form it checks the session is back.
    if ((!config.entry && !force) || inFlight || (expired && !force) || document.hidden) {
      return;
    }
    send("heartbeat").then(function (result) {
      if (!result.response.ok || !result.data) {
        failed(result);
        return;
      }
      hideExpired();
      showEditors(result.data);
    }, function () {
      retryLater();
    });
  }

  // Who else has the entry open, and whether it was saved since this form was drawn.
  function showEditors(data) {
    if (!othersNode || !data.last_saved) {
      return;
    }
    var parts = [];
    if (data.others && data.others.length) {
      parts.push(
        "Also open by " +
          data.others
            .map(function (person) {
              return person.name + " (seen " + person.seen + ")";
            })
            .join(", ") +
          "."
      );
    }
    if (versionInput && data.version && data.version !== versionInput.value) {
      parts.push(
        "Saved by " +
          (data.last_saved.who || "someone else") +
          " at " +
          data.last_saved.when +
          ", after you opened this form: your Save will be refused so as not to overwrite " +
          "it. Your text is autosaved; compare it with theirs under Revisions."
      );
    } else if (parts.length) {
      parts.push(
        "Last saved at " +
          data.last_saved.when +
          (data.last_saved.who ? " by " + data.last_saved.who : "") +
          "."
      );
    }
    othersNode.textContent = parts.join(" ");
    othersNode.hidden = !parts.length;
  }

  function changed() {
    window.clearTimeout(localTimer);
    localTimer = window.setTimeout(function () {
      if (!pending.local && !same(current(), known)) {
        writeLocal(current());
      }
    }, LOCAL_DELAY);
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(save, DELAY);
  }

  function leaving() {
    var text = current();
    if (submitting || same(text, known)) {
      return;
    }
    if (!pending.local) {
      writeLocal(text);
    }
    if (navigator.sendBeacon && !pending.server) {
      navigator.sendBeacon(config.url, payload("save", text));
    }
  }

  // Offering text kept earlier: the server's (drawn by the template) or this browser's.

  function fill(text) {
    FIELDS.forEach(function (name) {
      if (inputs[name]) {
        inputs[name].value = text[name] || "";
        inputs[name].dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  function offerLocal(item) {
    var box = document.createElement("div");
    box.className = "autosave-offer";
    box.id = "autosave-local-offer";
    var heading = document.createElement("h2");
    heading.textContent = "Unsaved text kept in this browser";
    var note = document.createElement("p");
    note.textContent =
      "From " +
      new Date(item.at).toLocaleString() +
      ". It had not reached the server (the session may have ended, or the page closed " +
      "too soon).";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button";
    restore.textContent = "Restore this text";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard it";
    var buttons = document.createElement("p");
    buttons.className = "autosave-buttons";
    buttons.append(restore, " ", discard);
    box.append(heading, note, buttons);
    document.getElementById("autosave").prepend(box);
    restore.addEventListener("click", function () {
      pending.local = false;
      fill(item.text);
      box.remove();
      say("Restored the text from this browser. Save to keep it in the entry.");
      inputs.body.focus();
      save();
    });
    discard.addEventListener("click", function () {
      pending.local = false;
      clearLocal();
      box.remove();
      changed();
      say("Discarded the text kept in this browser.");
    });
  }

  var serverOffer = document.getElementById("autosave-offer");
  if (serverOffer) {
    serverOffer.querySelector("[data-autosave=restore]").addEventListener("click", function () {
      pending.server = false;
      fill(config.offered);
      serverOffer.remove();
      say("Restored the autosaved text. Save to keep it in the entry.");
      inputs.body.focus();
    });
    serverOffer.querySelector("[data-autosave=discard]").addEventListener("click", function () {
      send("discard").then(function (result) {
        if (!result.response.ok) {
          failed(result);
          return;
        }
        pending.server = false;
        clearLocal(config.offered);
        serverOffer.remove();
        say("Discarded the autosaved text.");
        changed(); // what was typed meanwhile now goes to the server
      }, offline);
    });
  }

  var item = readLocal();
  if (item && item.text) {
    if (
      (config.saved_tokens || []).indexOf(item.token) !== -1 ||
      isEmpty(item.text) ||
      same(item.text, current()) ||
      same(item.text, config.offered)
    ) {
      clearLocal(); // saved, or shown already: nothing more to offer
    } else {
      pending.local = true;
      offerLocal(item);
    }
  }

  FIELDS.forEach(function (name) {
    if (inputs[name]) {
      inputs[name].addEventListener("input", changed);
      inputs[name].addEventListener("change", changed);
    }
  });
  form.addEventListener("submit", function () {
    var text = current();
    if (!same(text, known)) {
      writeLocal(text); // until the save is known to have gone through (saved_tokens)
    }
    csrfToken();
    submitting = true;
    // The form may stay (a browser's own check stopped it): keep autosaving then.
    window.setTimeout(function () {
      submitting = false;
    }, 10000);
  });
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      leaving();
    } else if (expired) {
      retry();
    }
  });
  window.addEventListener("focus", function () {
    if (expired) {
      retry();
    }
  });
  window.setInterval(heartbeat, HEARTBEAT);
  if (!known) {
    saveTimer = window.setTimeout(save, DELAY);
  }
})();
