"""What a browser would post for a form on a page: the named inputs, selects and textareas of the form
found by its `data-testid`, with their current values (stdlib HTML parser; no browser)."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.inside = False
        self.values: dict[str, str | list[str]] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            self._input(name, a)
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._add(self._select, value)

    def _input(self, name: str, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._tick(name, a.get("value", "on"))
        elif kind not in ("submit", "button", "file"):
            self._add(name, a.get("value", ""))

    def _add(self, name: str, value: str) -> None:
        self.values[name] = value

    def _tick(self, name: str, value: str) -> None:
        ticked = self.values.setdefault(name, [])
        assert isinstance(ticked, list)
        ticked.append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            text = self.values[self._textarea]
            assert isinstance(text, str)
            self.values[self._textarea] = text + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # a browser drops one newline right after <textarea>
            text = self.values[self._textarea]
            assert isinstance(text, str)
            self.values[self._textarea] = text.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select:
            if self._select not in self.values:
                self._add(self._select, self._first_option or "")
            self._select = None


def form_values(html: str, testid: str) -> dict[str, str | list[str]]:
    """The values the form `data-testid=testid` would post unchanged (disabled fields left out)."""
    reader = _FormReader(testid)
    reader.feed(html)
    return reader.values
