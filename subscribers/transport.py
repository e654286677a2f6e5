"""Handing messages to the mail server, with a moment just before they become final.

Through SMTP (Django's SMTP backend, its TLS and login settings) a message is final when the
server reads the dot that ends DATA: before it, a dropped connection discards the message.
`send_group` takes a few messages, one per connection, sends each up to that dot, then asks
`before_final(keys)` which of them may go (the caller records them as handed over, in one
write), sends those dots and reads the replies together; the others' connections are
dropped, so nothing of theirs is delivered. Other backends (console, django-anymail's APIs)
have no such moment: `before_final` is called just before their send. Knows only Django's
mail.
"""

import enum
import re
import smtplib
import socket
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


@dataclass
class RawMessage:
    """A message as the bytes SMTP sends, and its one recipient."""

    recipient: str
    data: bytes


class Outcome(enum.Enum):
    SENT = "sent"  # the server took it
    RETRY = "retry"  # 4xx or a connection lost before the end of DATA: try later
    BOUNCE = "bounce"  # 5xx: the server refuses this address
    TAKEN = "taken"  # before_final said no: another worker has the delivery


@dataclass
class Result:
    outcome: Outcome
    reply: str = ""
    final_sent: bool = False  # the dot went out (the caller recorded it as handed over)


class Transport:
    """Up to `width` connections to the mail server, reused for a batch of messages."""

    def __init__(self, width: int = 1) -> None:
        self.backends = [get_connection(fail_silently=False) for _ in range(max(1, width))]
        self.smtp = isinstance(self.backends[0], SMTPBackend)
        self.width = len(self.backends) if self.smtp else 1

    def close(self) -> None:
        for backend in self.backends:
            try:
                backend.close()
            except Exception:
                backend.connection = None

    @staticmethod
    def _drop(backend) -> None:
        """Close the socket without QUIT: the server discards an unfinished DATA."""
        connection = getattr(backend, "connection", None)
        if connection is not None:
            try:
                connection.close()
            finally:
                backend.connection = None

    def send_group(
        self,
        messages: list[tuple[Hashable, "EmailMessage | RawMessage"]],
        before_final: Callable[[list[Hashable]], set[Hashable]],
    ) -> dict[Hashable, Result]:
        """Send up to `width` messages; return each key's result."""
        if not self.smtp:
            return {key: self._send_other(key, message, before_final) for key, message in messages}
        results: dict[Hashable, Result] = {}
        ready = []
        for (key, message), backend in zip(messages, self.backends, strict=False):
            try:
                refused = self._up_to_final(backend, message)
            except (smtplib.SMTPException, OSError) as err:
                self._drop(backend)
                refused = Result(Outcome.RETRY, f"{type(err).__name__}: {err}"[:300])
            if refused:
                results[key] = refused
            else:
                ready.append((key, backend))
        allowed = before_final([key for key, _backend in ready]) if ready else set()
        sent = []
        for key, backend in ready:
            if key not in allowed:
                self._drop(backend)
                results[key] = Result(Outcome.TAKEN)
                continue
            try:
                backend.connection.send(b".\r\n")
                sent.append((key, backend))
            except OSError as err:  # the dot did not leave: the server drops the message
                self._drop(backend)
                results[key] = Result(Outcome.RETRY, f"{type(err).__name__}: {err}"[:300], True)
        for key, backend in sent:
            results[key] = self._final_reply(backend)
        return results

    def _send_other(self, key, message, before_final) -> Result:
        if key not in before_final([key]):
            return Result(Outcome.TAKEN)
        if isinstance(message, RawMessage):
            raise TypeError("Backends other than SMTP take an EmailMessage.")
        try:
            self.backends[0].send_messages([message])
        except Exception as err:
            return Result(Outcome.RETRY, str(err)[:300], True)
        return Result(Outcome.SENT, "", True)

    @staticmethod
    def _refusal(code: int, reply: bytes, bounce_possible: bool = True) -> Result:
        text = f"{code} {reply.decode('utf-8', 'replace')}"[:300]
        permanent = bounce_possible and 500 <= code < 600
        return Result(Outcome.BOUNCE if permanent else Outcome.RETRY, text)

    def _up_to_final(self, backend, message) -> Result | None:
        """Send one message up to its final dot; return a Result if the server refused it."""
        if backend.connection is None:
            backend.open()
            # The dots go in packets of their own; without this, Nagle's algorithm holds one
            # until the server acknowledges the message, which a delayed ACK makes 40 ms.
            backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection: smtplib.SMTP = backend.connection
        if isinstance(message, RawMessage):
            recipient, data = message.recipient, message.data
        else:
            [recipient] = message.recipients()
            data = message.message().as_bytes(linesep="\r\n")
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        connection.ehlo_or_helo_if_needed()
        code, reply = connection.mail(parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
        if code != 250:
            connection.rset()
            # The sender refused: no fault of this reader's address.
            return self._refusal(code, reply, bounce_possible=False)
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            connection.rset()
            return self._refusal(code, reply)
        connection.putcmd("data")
        code, reply = connection.getreply()
        if code != 354:
            connection.rset()
            return self._refusal(code, reply)
        connection.send(DOT_AT_LINE_START.sub(b"..", data))
        return None

    def _final_reply(self, backend) -> Result:
        try:
            code, reply = backend.connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError):
            # The dot went out: the server may well have taken it. Counting it as sent
            # risks one lost message; sending again would risk a duplicate in every such case.
            self._drop(backend)
            return Result(Outcome.SENT, "connection lost after the end of the message", True)
        if code == 250:
            return Result(Outcome.SENT, "", True)
        result = self._refusal(code, reply)
        result.final_sent = True
        return result
