"""What the agent wants to send (`Draft`), and its JSON form in the local store.

One codec for the outbox's entries and anything else that stores a draft: a picked file keeps
its size, time and inode from when it was picked, so a resumed send still refuses a file that
changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.core.files import LocalFile
from tui.core.templates import TemplateValues


@dataclass
class TemplateChoice:
    name: str
    language: str | None = None
    values: TemplateValues = field(default_factory=TemplateValues)
    #: The file of an IMAGE, VIDEO or DOCUMENT header (a picked file keeps what it was when picked).
    header_file: Path | LocalFile | None = None


@dataclass
class Draft:
    """What the agent wants to send. A template draft ignores `text`."""

    text: str = ""
    note: bool = False
    #: Paths, or files as inspected when they were picked (then a file changed since is refused).
    attachments: list[Path | LocalFile] = field(default_factory=list)
    template: TemplateChoice | None = None
    #: The id of the message this send quotes (`reply_to_message_id`), or None.
    reply_to: int | str | None = None

    @property
    def kind(self) -> str:
        return "template" if self.template else ("note" if self.note else "reply")


def _file_to_json(file: Path | LocalFile) -> str | dict[str, Any]:
    """A picked file keeps what it was when picked, so a resumed send still refuses a changed one."""
    if isinstance(file, LocalFile):
        return {
            "path": str(file.path),
            "name": file.name,
            "size": file.size,
            "mime": file.mime,
            "mtime_ns": file.mtime_ns,
            "ino": file.ino,
        }
    return str(file)


def _file_from_json(data: str | dict[str, Any]) -> Path | LocalFile:
    if isinstance(data, str):
        return Path(data)
    return LocalFile(
        path=Path(data["path"]),
        name=data["name"],
        size=int(data["size"]),
        mime=data["mime"],
        mtime_ns=int(data["mtime_ns"]),
        ino=int(data.get("ino", 0)),
    )


def attachment_paths(attachments: list[Any]) -> list[str]:
    """The paths of stored attachments (plain paths or picked files)."""
    return [a["path"] if isinstance(a, dict) else str(getattr(a, "path", a)) for a in attachments]


def draft_to_dict(draft: Draft) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": draft.text,
        "note": draft.note,
        "attachments": [_file_to_json(a) for a in draft.attachments],
    }
    if draft.reply_to is not None:
        out["reply_to"] = draft.reply_to
    if draft.template is not None:
        out["template"] = {
            "name": draft.template.name,
            "language": draft.template.language,
            "positional": list(draft.template.values.positional),
            "named": dict(draft.template.values.named),
            "buttons": list(draft.template.values.buttons),
        }
        if draft.template.header_file is not None:
            out["template"]["header_file"] = _file_to_json(draft.template.header_file)
    return out


def draft_from_dict(data: dict[str, Any]) -> Draft:
    template = None
    if t := data.get("template"):
        template = TemplateChoice(
            name=t["name"],
            language=t.get("language"),
            values=TemplateValues(
                positional=list(t.get("positional", [])),
                named=dict(t.get("named", {})),
                buttons=list(t.get("buttons", [])),
            ),
            header_file=_file_from_json(t["header_file"]) if t.get("header_file") else None,
        )
    return Draft(
        text=data.get("text", ""),
        note=bool(data.get("note")),
        attachments=[_file_from_json(a) for a in data.get("attachments", [])],
        template=template,
        reply_to=data.get("reply_to"),
    )
