"""The end of an import as a person reads it: one screen, and every detail in a file.

The screen gives the counts per outcome, then each kind of warning once with one example
(how many times it came, and how many others like it); `--report FILE` writes every entry's
outcome, every skipped file and every warning as JSON lines. Imports the importers' records.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from posts.importers.records import MISSING_PICTURE, Report

# The most a screen shows of each list; the report file holds the rest.
SHOWN_KINDS = 10
SHOWN_SKIPPED = 3
SHOWN_PICTURES = 3
SHOWN_FILES = 3
FEW = 3  # notes of one kind listed one by one

# Where a warning happened, as the readers put it first: "path/a.md:12: ", "x.xml (item 4): ".
_LOCATION = re.compile(
    r"^(?P<file>.+?\.(?:md|markdown|mdown|mkd|html?|xml|toml|ya?ml|json|txt)"
    r"(?: \(item \d+\))?|[^\s:]+)(?::(?P<line>\d+))?: "
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass
class Note:
    """One note (a warning) as it was made: its kind, the place, and how many times it came."""

    message: str
    count: int
    kind: str
    file: str = ""
    line: int | None = None


@dataclass
class Group:
    kind: str
    example: Note
    count: int = 0
    others: list[Note] = field(default_factory=list)


def _head(text: str) -> str:
    """Return text up to its first ": " outside brackets: what it is, not which one."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0 and text[index + 1 : index + 2] == " ":
            return text[:index]
    return text


def read_warning(note: str, count: int) -> Note:
    """Return a note as a Note: its place taken off the front, its kind named."""
    if note.startswith(MISSING_PICTURE) and "\t" in note:
        address, _, where = note.removeprefix(MISSING_PICTURE).partition("\t")
        return Note(f"{MISSING_PICTURE}{address}", count, MISSING_PICTURE[:-2], where)
    place = _LOCATION.match(note)
    rest = note[place.end() :] if place else note
    # What the note says, without the values that differ from one to the next.
    kind = _head(_QUOTED.sub("…", rest))
    if not place:
        return Note(note, count, kind)
    line = int(place.group("line")) if place.group("line") else None
    return Note(note, count, kind, place.group("file"), line)


def warnings(report: Report) -> list[Note]:
    """Return every warning of the import, in the order they came."""
    return [read_warning(note, count) for note, count in report.notes.items()]


def _groups(found: list[Note]) -> list[Group]:
    groups: dict[str, Group] = {}
    for warning in found:
        group = groups.setdefault(warning.kind, Group(warning.kind, warning))
        group.count += warning.count
        if warning is not group.example:
            group.others.append(warning)
    # The most frequent first: they are what a person fixes first.
    return sorted(groups.values(), key=lambda g: (-g.count, g.kind))


def summary_lines(report: Report, dry_run: bool = False, report_file: Path | None = None):
    """Return the summary a person reads at the end: short, whatever the import held."""
    would = "would be " if dry_run else ""
    lines = [
        f"Entries {would}created: {len(report.created)}, {would}updated: {len(report.updated)}, "
        f"unchanged: {len(report.unchanged)}, skipped as invalid: {len(report.skipped)}.",
        f"Pictures {would}added: {report.images_new}, already here: {report.images_reused}. "
        f"Tags {would}added: {report.tags_new}. Authors {would}added: {report.users_new}. "
        f"Redirects {would}added: {report.redirects_new}.",
    ]
    if report.comments_new or report.comments_known:
        lines.append(
            f"Comments {would}added: {report.comments_new}, already here: {report.comments_known}."
        )
    if report.comments_unkept:
        lines.append(
            f"Not imported: {report.comments_unkept} comments (no app here keeps comments; "
            "they stay in the source)."
        )
    lines += [f"Skipped {problem}" for problem in report.skipped[:SHOWN_SKIPPED]]
    hidden = len(report.skipped) > SHOWN_SKIPPED
    if hidden:
        lines.append(f"  … and {len(report.skipped) - SHOWN_SKIPPED} more skipped.")
    lines += [f"Not imported: {count} {what}." for what, count in sorted(report.counted.items())]
    found = warnings(report)
    missing = [w for w in found if w.kind == MISSING_PICTURE[:-2]]
    groups = _groups([w for w in found if w.kind != MISSING_PICTURE[:-2]])
    noted: list[str] = []  # at most SHOWN_KINDS lines, whatever the kinds
    for index, group in enumerate(groups):
        if len(noted) >= SHOWN_KINDS:
            noted.append(f"  … and {len(groups) - index} more kinds of note.")
            hidden = True
            break
        noted += _group_lines(group, few=len(noted) + FEW <= SHOWN_KINDS)
    lines += noted
    hidden = _missing_pictures(missing, lines) or hidden
    if report_file is not None:
        lines.append(f"Every outcome and note, one a line: {report_file}")
    elif hidden or any(len(group.others) >= FEW for group in groups):
        lines.append("To see every one: run again with --report FILE (or --dry-run --report).")
    return lines


def _group_lines(group: Group, few: bool = True) -> list[str]:
    """A kind noted a few times with no place names each ("[via]", "[gallery]"): one line
    each. Any other kind is one line: how often, one example, how many more like it."""
    notes = [group.example, *group.others]
    if few and len(notes) <= FEW and not any(note.file for note in notes):
        return [f"Note ({note.count}x): {note.message}" for note in notes]
    more = f" (and {len(group.others)} more like it)" if group.others else ""
    return [f"Note ({group.count}x): {group.example.message}{more}"]


def _missing_pictures(missing: list[Note], lines: list[str]) -> bool:
    """List each missing picture once with the files that show it; True if some are left out."""
    used: dict[str, list[str]] = {}
    for warning in missing:
        used.setdefault(warning.message.removeprefix(MISSING_PICTURE), []).append(warning.file)
    if not used:
        return False
    lines.append(f"Pictures not found ({len(used)}), their addresses kept:")
    hidden = False
    for address, where in sorted(used.items())[:SHOWN_PICTURES]:
        names = ", ".join(sorted(where)[:SHOWN_FILES])
        if len(where) > SHOWN_FILES:
            names += f" and {len(where) - SHOWN_FILES} more"
            hidden = True
        lines.append(f"  {address} (in {names})")
    if len(used) > SHOWN_PICTURES:
        lines.append(f"  … and {len(used) - SHOWN_PICTURES} more.")
        hidden = True
    return hidden


def write_report(report: Report, path: Path, dry_run: bool = False) -> None:
    """Write every outcome, skipped file and warning to path, one JSON object a line."""
    with path.open("w", encoding="utf-8") as out:

        def put(record: dict) -> None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

        for outcome, slugs in (
            ("created", report.created),
            ("updated", report.updated),
            ("unchanged", report.unchanged),
        ):
            for slug in slugs:
                put({"type": "entry", "outcome": outcome, "slug": slug, "dry_run": dry_run})
        for problem in report.skipped:
            put(
                {
                    "type": "skipped",
                    "file": problem.origin,
                    "line": problem.line,
                    "message": problem.message,
                }
            )
        for what, count in sorted(report.counted.items()):
            put({"type": "not_imported", "what": what, "count": count})
        for warning in warnings(report):
            put(
                {
                    "type": "note",
                    "kind": warning.kind,
                    "file": warning.file,
                    "line": warning.line,
                    "message": warning.message,
                    "count": warning.count,
                }
            )
        put(
            {
                "type": "totals",
                "dry_run": dry_run,
                "pictures_new": report.images_new,
                "pictures_reused": report.images_reused,
                "tags_new": report.tags_new,
                "authors_new": report.users_new,
                "redirects_new": report.redirects_new,
                "comments_new": report.comments_new,
                "comments_known": report.comments_known,
            }
        )
