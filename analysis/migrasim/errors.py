"""The exception a bad scenario raises in Python (migrasim.load, run, validate,
simulator), importable without the compiled module so that it can be caught
anywhere.

Its text is exactly what `migrasim validate` prints after "migrasim: error: ",
`file:line:column: key.path: message`; the parts are attributes.
"""
import re

# file:line:column: key.path: message; key paths have no spaces except "(top level)".
_LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): "
                      r"(?P<key>\(top level\)|\S+?): (?P<message>.*)$", re.DOTALL)
# A document that does not parse has a place but no key path.
_UNKEYED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$", re.DOTALL)
# A value from an override ("--set key=value") or a check of the whole scenario
# ("file: population.agents: ...") has no line and column.
_UNLOCATED = re.compile(r"^(?P<file>--set \S+|[^:]+): (?P<key>\(top level\)|[^\s:]+): "
                        r"(?P<message>.*)$", re.DOTALL)


class ScenarioError(ValueError):
    """A scenario that cannot be read or compiled.

    Attributes: `file` (the path, "<string>" for text, or "--set key=value" for
    an override), `line` and `column` (1-based; None where the value has no
    place in a file), `key` (the key path, e.g. "route.edges[0].cost_usd") and
    `message`. Each is None when the text does not say it.
    """

    def __init__(self, text):
        super().__init__(text)
        self.text = text
        self.file = self.line = self.column = self.key = None
        self.message = text
        match = _LOCATED.match(text) or _UNKEYED.match(text) or _UNLOCATED.match(text)
        if match:
            parts = match.groupdict()
            self.file, self.key, self.message = parts["file"], parts.get("key"), parts["message"]
            if parts.get("line") is not None:
                self.line, self.column = int(parts["line"]), int(parts["column"])
