"""Translatable text that is rendered later, in the reader's language.

Flows are pure: they do not know who reads a reply or in which language. A message is written
here as Dutch source text marked with ``_`` (or ``ngettext``) and kept as a ``Text`` value; the
channel renders it with the person's catalog (and, for bilingual display, with Dutch as well).
Babel extracts the markers: ``_`` and ``N_`` (msgid) and ``ngettext`` (singular, plural).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Catalog(Protocol):
    """What rendering needs of a gettext catalog (``babel.support.Translations`` fits)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


@dataclass(frozen=True, slots=True)
class Text:
    """A translatable message with its placeholders, rendered per reader."""

    msgid: str
    plural: str | None = None
    n: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, catalog: Catalog | None, isolate: bool = False) -> str:
        """The message in the catalog's language, placeholders filled in.

        ``isolate`` wraps each inserted value in Unicode isolates (FSI … PDI), so a Dutch word,
        a name or a code inside right-to-left text keeps its own direction.
        """
        if catalog is None:
            template = self.msgid if self.plural is None or self.n == 1 else self.plural
        elif self.plural is not None:
            template = catalog.ngettext(self.msgid, self.plural, self.n or 0)
        else:
            template = catalog.gettext(self.msgid)
        if not self.params:
            return template
        values = {k: render(v, catalog, isolate) for k, v in self.params.items()}
        if isolate:
            values = {k: f"\u2068{v}\u2069" for k, v in values.items()}
        return template.format(**values)

    def with_params(self, **params: Any) -> Text:
        """The same message with (more) placeholder values."""
        return Text(self.msgid, self.plural, self.n, {**self.params, **params})


def _(msgid: str, **params: Any) -> Text:
    """Mark Dutch source text for translation; placeholders as ``{name}``."""
    return Text(msgid, params=params)


# Same as ``_``; used in data tables where a reader expects the classic "no-op marker" name.
N_: Callable[..., Text] = _


def ngettext(singular: str, plural: str, n: int, **params: Any) -> Text:
    """Mark a message with plural forms; ``n`` also fills ``{n}``."""
    return Text(singular, plural, n, {"n": n, **params})


def verbatim(value: str) -> Text:
    """Text that is shown as written (a student's own words, a name): never translated."""
    return Text("{value}", params={"value": value})


def render(text: Any, catalog: Catalog | None, isolate: bool = False) -> Any:
    """Render a Text; anything else (a plain string, a number) is already final."""
    return text.render(catalog, isolate) if isinstance(text, Text) else text


def joined(parts: list[Text] | tuple[Text, ...], sep: str = ", ") -> Text:
    """Several texts in a row, each rendered in the reader's language (a list of names)."""
    template = sep.join(f"{{p{i}}}" for i in range(len(parts)))
    return Text(template, params={f"p{i}": part for i, part in enumerate(parts)})


def template(layout: str, **params: Any) -> Text:
    """Layout only (an emoji before a label, a heading before a colon): nothing to translate,
    so it is not marked for extraction; the parts inside are translated on their own."""
    return Text(layout, params=params)
