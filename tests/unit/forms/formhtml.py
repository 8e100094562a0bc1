"""Read rendered form HTML the way a browser would: its controls, labels and what it posts."""
from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[dict] = []
        self.labels: dict[str, str] = {}
        self.ids: dict[str, dict] = {}
        self._select: dict | None = None
        self._textarea: dict | None = None
        self._label: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: ("" if value is None else value) for key, value in attrs}
        element = {"tag": tag, "attrs": attrs, "options": [], "text": ""}
        if "id" in attrs:
            self.ids[attrs["id"]] = element
        if tag == "label":
            self._label = [attrs.get("for"), ""]
        elif tag == "input":
            self.controls.append(element)
        elif tag == "select":
            self._select = element
            self.controls.append(element)
        elif tag == "option" and self._select is not None:
            self._select["options"].append({"value": attrs.get("value", ""), "selected": "selected" in attrs})
        elif tag == "textarea":
            self._textarea = element
            self.controls.append(element)

    def handle_endtag(self, tag):
        if tag == "label" and self._label:
            self.labels[self._label[0]] = self._label[1].strip()
            self._label = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._label is not None:
            self._label[1] += data
        if self._textarea is not None:
            self._textarea["text"] += data


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(str(html))
    collector.close()
    return collector


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id (a crude slice, enough for error blocks)."""
    html = str(html)
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return html[start:html.index("</div>", start)]


def browser_post(html: str) -> MultiDict:
    """What a browser sends for this form untouched (files and buttons left out)."""
    posted = MultiDict()
    for control in parse(html).controls:
        attrs, tag = control["attrs"], control["tag"]
        name = attrs.get("name")
        if not name:
            continue
        if tag == "select":
            options = control["options"]
            chosen = next((o for o in options if o["selected"]), options[0] if options else None)
            if chosen is not None:
                posted.add(name, chosen["value"])
        elif tag == "textarea":
            posted.add(name, control["text"])
        elif attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                posted.add(name, attrs.get("value", "on"))
        elif attrs.get("type") not in ("file", "submit", "button"):
            posted.add(name, attrs.get("value", ""))
    return posted
