"""What may be written at a position: the classification completion and hover rely on.

The text before the cursor is fed to the compiler's own LALR parser (the same grammar as
`ddm check`), which stops at the cursor with everything written so far on its stack and
can say which terminals it would accept next. The stack says where the cursor is (inside
an element's block, after a `|`, in an operation's parentheses, after `name.`...), the
accepted terminals which keywords fit; newlines mean nothing to DDM, so this reading
never looks at lines. Text after the cursor is never read: it is usually what the author
is about to change. Where the text before the cursor does not parse (an earlier mistake),
the parser starts again at the last statements that begin at the left margin, and failing
that a few textual rules on the cursor's line still give the common cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from ddm_lang.syntax.parser import _lark  # the compiler's own parser, built once per process

from .vocabulary import keywords

NONE = "none"                 # comment, string, number: nothing to offer
STATEMENT = "statement"       # a statement starts here (top level or a non-element block)
BLOCK = "block"               # an element's block: a property or a child statement
VALUE = "value"               # a property's value
EXPRESSION = "expression"     # any other expression
OPERATION = "operation"       # after `|`
CLAUSE = "clause"             # after an operation: its clause keywords
CLAUSE_VALUE = "clause-value"  # after a clause keyword
ARGUMENTS = "arguments"       # in a call's or operation's parentheses
MEMBER = "member"             # after `name.`
ELEMENT_NAME = "element-name"  # after an element kind: its name (`image` names an object)
IMPORT_PATH = "import-path"   # in the string of an import
PARAM_TYPE = "param-type"     # after `component c(p:`
CONTINUE = "continue"         # after something complete: only keywords may follow

_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_LITERAL_END = re.compile(r"(#[0-9A-Za-z]*|(?<![A-Za-z0-9_])\.?\d[0-9A-Za-z.%]*)\Z")
_IMPORT_STRING = re.compile(r"\bimport\s*\Z|\bfrom\s*\Z")

# Trees the parser has reduced to a finished entry of a block or the file.
_FINISHED = frozenset({"property", "element", "let_decl", "for_stmt", "when_stmt", "raw_stmt",
                       "template_decl", "formats_decl", "import_all", "import_names",
                       "object_decl", "component_decl"})
_OPENERS = {"LBRACE": "RBRACE", "LPAR": "RPAR", "FUNC": "RPAR", "LSQB": "RSQB"}
_CLOSERS = {"RBRACE": "LBRACE", "RPAR": "LPAR", "RSQB": "LSQB"}
_CLAUSE_TOKENS = frozenset({"TO", "IN", "FIT", "AVOID", "ANCHOR", "WITH", "AT", "BY", "SIDE"})


@dataclass(frozen=True)
class Context:
    """Where the cursor is, for completion and hover."""

    kind: str
    prefix: str = ""              # the part of a word written before the cursor
    start: int = 0                # where that part starts (the offset completions replace from)
    element: str | None = None    # the kind of the element whose block or head this is
    property: str | None = None   # the property whose value is being written
    operation: str | None = None  # the operation of a clause or argument list
    clause: str | None = None     # the clause keyword whose value is being written
    function: str | None = None   # the function whose arguments are being written
    argument: str | None = None   # the named argument whose value is being written
    position: int = 0             # which argument (0 for the first) is being written
    path: tuple[str, ...] = ()    # for MEMBER: the names before the dot (`[]` for an index)
    perception: bool = False      # in an object's `where`/`prefer`: bare names are attributes
    statement: bool = False       # a new statement may also start here
    keywords: frozenset[str] = field(default_factory=frozenset)  # keywords that fit here


@dataclass(frozen=True)
class _Group:
    """A bracketed run of the stack, closed before the cursor: one item at its level."""

    opener: str
    head: Any  # the opening token (a FUNC token names the call)


def classify(source: str, offset: int) -> Context:
    """The context at character `offset` of `source`."""
    before = source[:max(0, min(offset, len(source)))]
    state = _lexical_state(before)
    if state[0] == "comment":
        return Context(NONE, start=offset)
    if state[0] == "string":
        string_start, interpolation = state[1], state[2]
        if interpolation is not None:
            inner = _classify_code(before[interpolation:], "expr")
            return _shift(inner, interpolation)
        if _IMPORT_STRING.search(before[:string_start]):
            return Context(IMPORT_PATH, before[string_start + 1:], string_start + 1)
        return Context(NONE, start=offset)
    return _classify_code(before, "start")


def word_at(source: str, offset: int) -> tuple[int, int] | None:
    """The start and end of the name (letters, digits, `_`, inner `-`) at or just before
    `offset`, or None."""
    if not source:
        return None
    start = offset
    while start > 0 and (source[start - 1].isalnum() or source[start - 1] in "_-"):
        start -= 1
    end = offset
    while end < len(source) and (source[end].isalnum() or source[end] in "_-"):
        end += 1
    while start < end and not (source[start].isalpha() or source[start] == "_"):
        start += 1  # a word starts with a letter: `10px` is no name
    while end > start and source[end - 1] == "-":
        end -= 1
    if start >= end or (start > 0 and (source[start - 1].isdigit() or source[start - 1] == "#")):
        return None
    return start, end


def _shift(context: Context, by: int) -> Context:
    return replace(context, start=context.start + by)


# ---- lexical state: inside a comment or a string? ------------------------------------

def _lexical_state(text: str) -> tuple[str, int, int | None]:
    """("code", 0, None), ("comment", start, None) or ("string", start, interpolation):
    where the end of `text` is. `interpolation` is where the `{expression}` the end of the
    text is in starts (after the brace), or None."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            if end < 0:
                return "comment", i, None
            i = end + 1
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return "comment", i, None
            i = end + 2
        elif text.startswith('"""', i):
            end = text.find('"""', i + 3)
            if end < 0:
                return "string", i, None
            i = end + 3
        elif c in "\"'":
            end, interpolation = _string_end(text, i)
            if end < 0:
                return "string", i, interpolation
            i = end
        else:
            i += 1
    return "code", 0, None


def _string_end(text: str, start: int) -> tuple[int, int | None]:
    """Past the end of the string opened at `start`, or (-1, interpolation start) when
    `text` ends inside it."""
    quote, i, n = text[start], start + 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == quote or c == "\n":
            return i + 1, None
        elif c == "{":
            end = _interpolation_end(text, i + 1)
            if end < 0:
                return -1, i + 1
            i = end
        else:
            i += 1
    return -1, None


def _interpolation_end(text: str, start: int) -> int:
    """Past the `}` closing the interpolation whose expression starts at `start`, or -1."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end, _ = _string_end(text, i)
            if end < 0:
                return -1
            i = end
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0 and c == "}":
                return i + 1
            depth -= 1
        i += 1
    return -1


# ---- the parser's view --------------------------------------------------------------

def _classify_code(text: str, start: str) -> Context:
    match = _PREFIX.search(text)
    prefix = match.group(0) if match else ""
    head = text[:len(text) - len(prefix)]
    where = len(head)
    if (head and (head[-1].isdigit() or head[-1] == "#")) or (
            not prefix and _LITERAL_END.search(head)):
        return Context(NONE, start=where)  # a number, unit or colour is being written
    parsed = _parse_prefix(head, start)
    if parsed is None:
        return _fallback(head, prefix, where)
    stack, accepts = parsed
    words = frozenset(t.lower() for t in accepts if t.lower() in keywords())
    context = _from_stack(stack, accepts, words, prefix, where)
    if start == "expr" and context.kind in (STATEMENT, CONTINUE):
        return replace(context, kind=EXPRESSION if "NUMBER" in accepts else CONTINUE,
                       statement=False)
    return context


_RESTART = re.compile(r"\n(?=[A-Za-z_])")
_CONTINUATIONS = frozenset({"where", "prefer", "else", "and", "or", "not", "in", "asc", "desc"})
MAX_RESTARTS = 4


def _parse_prefix(head: str, start: str) -> tuple[list[Any], set[str]] | None:
    """The parser's stack and the terminals it accepts after `head`. A mistake earlier in
    the file is skipped by starting again at one of the last lines that start a
    statement at the left margin (formatted files start each top-level statement there)."""
    starts = [0]
    if start == "start":
        later = [m.end() for m in _RESTART.finditer(head)
                 if head[m.end():].split(None, 1)[0].split("(")[0] not in _CONTINUATIONS]
        starts += later[::-1][:MAX_RESTARTS]
    for at in starts:
        parser = _lark().parse_interactive(head[at:], start=start)
        try:
            parser.exhaust_lexer()
            return list(parser.parser_state.value_stack), parser.accepts()
        except UnexpectedInput:
            continue
    return None


def _from_stack(stack: list[Any], accepts: set[str], words: frozenset[str], prefix: str,
                where: int) -> Context:
    base = Context(NONE, prefix, where, keywords=words, statement="LET" in accepts)
    if stack and _is(stack[-1], "DOT"):
        path = _path(stack[-2]) if len(stack) > 1 else None
        return replace(base, kind=MEMBER, path=tuple(path or ()),
                       perception=_in_selection(stack))
    opener = _innermost_opener(stack)
    level = _collapse(stack[opener + 1:])
    entry = _entry(level)
    value = "NUMBER" in accepts  # an expression may start here

    if opener >= 0 and _is(stack[opener], "FUNC"):
        func = str(stack[opener].value)[:-1]
        before = stack[opener - 1] if opener > 0 else None
        if _is(before, "COMPONENT"):
            if entry and _is(entry[-1], "COLON"):
                return replace(base, kind=PARAM_TYPE)
            default = value and entry and _is(entry[-1], "EQUAL")
            return replace(base, kind=EXPRESSION if default else NONE)
        operation = func if _is(before, "VBAR") else None
        return replace(base, kind=ARGUMENTS, operation=operation,
                       function=None if operation else func, argument=_argument(level),
                       position=sum(_is(i, "COMMA") for i in level))
    if opener >= 0 and _is(stack[opener], "LPAR", "LSQB"):
        return replace(base, kind=EXPRESSION, perception=_in_selection(stack))

    in_block = opener >= 0  # an LBRACE
    element = _block_element(stack, opener) if in_block else None
    if not entry:
        kind = BLOCK if element is not None else STATEMENT
        return replace(base, kind=kind, element=element, statement=True)
    first = entry[0]
    if _is(first, "NAME") and len(entry) >= 2 and _is(entry[1], "COLON"):
        return replace(base, kind=VALUE, element=element, property=str(first.value))
    if _is(first, "NAME"):
        return _element_head(entry, value, base)
    if _is(first, "OBJECT"):
        selection = any(_is(i, "WHERE", "PREFER") or _tree(i, "where_clause") for i in entry)
        if value:
            return replace(base, kind=EXPRESSION, perception=selection)
        return replace(base, kind=CONTINUE)
    if value:
        return replace(base, kind=EXPRESSION)
    return replace(base, kind=STATEMENT if base.statement else CONTINUE)


def _element_head(entry: list[Any], value: bool, base: Context) -> Context:
    """In an element's head: its name, value, guard or pipeline."""
    kind = str(entry[0].value)
    bars = [i for i, item in enumerate(entry) if _is(item, "VBAR")]
    if not bars:
        if len(entry) == 1:
            return replace(base, kind=ELEMENT_NAME, element=kind)
        return replace(base, kind=EXPRESSION if value else CONTINUE, element=kind)
    segment = entry[bars[-1] + 1:]
    if not segment:
        return replace(base, kind=OPERATION, element=kind)
    head = segment[0]
    if isinstance(head, _Group) and _is(head.head, "FUNC"):
        operation = str(head.head.value)[:-1]
    elif _is(head, "NAME"):
        operation = str(head.value)
    else:
        return replace(base, kind=CONTINUE, element=kind)
    clause = None
    for item in segment[1:]:
        if _is(item, *_CLAUSE_TOKENS):
            clause = str(item.value)
        elif _tree(item, "clause_kw"):
            clause = str(item.children[0])
        elif _tree(item, "clause"):
            clause = None
        elif _is(item, "WHEN"):
            clause = "when"
    if clause == "when":
        return replace(base, kind=EXPRESSION if value else CONTINUE, element=kind)
    last = segment[-1]
    if clause and (_is(last, *_CLAUSE_TOKENS, "COMMA") or _tree(last, "clause_kw")):
        return replace(base, kind=CLAUSE_VALUE, element=kind, operation=operation,
                       clause=clause)
    return replace(base, kind=CLAUSE, element=kind, operation=operation, clause=clause)


def _argument(level: list[Any]) -> str | None:
    """The named argument whose value is being written in an argument list, or None at
    the start of an argument."""
    items = level
    for i in range(len(items) - 1, -1, -1):
        if _is(items[i], "COMMA"):
            items = items[i + 1:]
            break
    if len(items) >= 2 and _is(items[0], "NAME") and _is(items[1], "COLON"):
        return str(items[0].value)
    return None


def _block_element(stack: list[Any], opener: int) -> str | None:
    """The kind of the element whose block opens at `opener`, or None for a `when`,
    `for`, `else` or component block; a `when` inside an element's block holds that
    element's properties (an override), so its block counts as the element's."""
    if opener < 1:
        return None
    if not _tree(stack[opener - 1], "pipeline"):
        outer = _innermost_opener(stack[:opener])
        head = stack[outer + 1:opener]
        if outer >= 0 and _is(stack[outer], "LBRACE") and any(_is(i, "WHEN") for i in head):
            return _block_element(stack, outer)
        return None
    for item in reversed(stack[:opener - 1]):
        if _is(item, "NAME"):
            return str(item.value)
        if not isinstance(item, Tree):
            return None
    return None


def _innermost_opener(stack: list[Any]) -> int:
    """The index of the innermost bracket still open at the end of the stack, or -1."""
    closed: list[str] = []
    for i in range(len(stack) - 1, -1, -1):
        item = stack[i]
        if not isinstance(item, Token):
            continue
        if item.type in _CLOSERS:
            closed.append(item.type)
        elif item.type in _OPENERS:
            if closed and _OPENERS[item.type] == closed[-1]:
                closed.pop()
            else:
                return i
    return -1


def _collapse(items: list[Any]) -> list[Any]:
    """The items of one level: each closed bracket run becomes one `_Group`."""
    out: list[Any] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Token) and item.type in _OPENERS:
            depth, j = 0, i
            while j < len(items):
                t = items[j]
                if isinstance(t, Token) and t.type in _OPENERS:
                    depth += 1
                elif isinstance(t, Token) and t.type in _CLOSERS:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append(_Group(item.type, item))
            i = j + 1
            continue
        out.append(item)
        i += 1
    return out


def _entry(level: list[Any]) -> list[Any]:
    """The items of the statement or property the cursor is in (after the last `;`,
    closed block or finished statement of its level)."""
    for i in range(len(level) - 1, -1, -1):
        item = level[i]
        if (_is(item, "SEMICOLON") or (isinstance(item, _Group) and item.opener == "LBRACE")
                or _finished(item)):
            return level[i + 1:]
    return level


def _in_selection(stack: list[Any]) -> bool:
    """Whether the stack ends inside an object's `where` or `prefer`."""
    for item in reversed(stack):
        if _is(item, "WHERE", "PREFER") or _tree(item, "where_clause"):
            return True
        if _is(item, "OBJECT", "FROM", "SEMICOLON", "LBRACE") or _finished(item):
            return False
    return False


def _path(item: Any) -> list[str] | None:
    """`a.b[0].c` as ["a", "b", "[]", "c"]; None for anything but names, members and
    indexes."""
    parts: list[str] = []
    while True:
        if isinstance(item, Token) and item.type == "NAME":
            return [str(item.value), *reversed(parts)]
        if not isinstance(item, Tree):
            return None
        if item.data == "name":
            return [str(item.children[0]), *reversed(parts)]
        if item.data == "member":
            parts.append(str(item.children[1]))
        elif item.data in ("index", "slice"):
            parts.append("[]")
        else:
            return None
        item = item.children[0]


def _finished(item: Any) -> bool:
    """A finished statement or property, or the run of them the parser has gathered
    (Lark names a repetition's tree after its rule: `__block_star_8`)."""
    return isinstance(item, Tree) and (
        item.data in _FINISHED or str(item.data).startswith(("__block_star", "__start_star")))


def _is(item: Any, *types: str) -> bool:
    return isinstance(item, Token) and item.type in types


def _tree(item: Any, data: str) -> bool:
    return isinstance(item, Tree) and item.data == data


# ---- when the text before the cursor does not parse -----------------------------------

_DOTTED_END = re.compile(r"([A-Za-z_][\w-]*(?:\[[^\]]*\])?(?:\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)*)\.\Z")
_PROPERTY_LINE = re.compile(r"(?:^|[{;])\s*([A-Za-z][\w-]*)\s*:[^;{}:]*\Z")


def _fallback(head: str, prefix: str, where: int) -> Context:
    line = head[head.rfind("\n") + 1:]
    stripped = head.rstrip()
    if stripped.endswith("|"):
        return Context(OPERATION, prefix, where)
    dotted = _DOTTED_END.search(head)
    if dotted:
        path = re.sub(r"\[[^\]]*\]", ".[]", dotted.group(1)).split(".")
        return Context(MEMBER, prefix, where, path=tuple(p for p in path if p))
    prop = _PROPERTY_LINE.search(line)
    if prop:
        return Context(VALUE, prefix, where, property=prop.group(1))
    if not line.strip():
        return Context(STATEMENT, prefix, where, statement=True)
    return Context(EXPRESSION, prefix, where)
