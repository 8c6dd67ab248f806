"""Events for the Sigma differential check, made from a rule's own values, and the verdict
the Sigma specification gives on them.

pySigma parses each rule into a condition tree whose leaves are `field = value` tests with
the modifiers already applied (wildcards placed, base64 encoded, windash expanded). From
those leaves this module builds:

- a *base* event that should satisfy the rule (a witness, checked with `spec_matches`);
- *variants*: the base with one field set to a value derived from one leaf (the value
  itself, its case variants, near misses, the value as a number or a string, the field
  missing or null, values carrying `%`, `_`, `*`, `?`, backslashes, quotes and line
  breaks), each labelled with what kind of leaf and what kind of variant it is, so that
  disagreements can be grouped by cause.

`spec_matches` is the Sigma specification (sigma-specification, Sigma Rules Specification
2.x and the Modifiers Appendix 2.1.0) read as an evaluator over one flat event. It is the
referee the harness reports beside the three verdicts it compares, and each of its
readings of the specification is stated where it is made. Regexes are run with Python's
`re` as a stand-in for the PCRE the Modifiers Appendix names; the rules' patterns stay in
the subset where the two agree, except where a docstring below says otherwise.
"""

import json
import math
import re
import re._constants as sre
import re._parser as sre_parse
from dataclasses import dataclass

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
)
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)


class Missing:
    """A field the event does not have (unlike one whose value is null)."""

    def __repr__(self):
        return "MISSING"


MISSING = Missing()


class Unsupported(Exception):
    """A leaf the harness does not generate events for (keywords, cidr, fieldref, ...)."""


# --------------------------------------------------------------------------- leaves


@dataclass(frozen=True)
class Leaf:
    """One `field = value` test of the parsed rule."""

    field: str
    value: object

    @property
    def kind(self):
        return leaf_kind(self.value)


def leaves(cond):
    """Every `field = value` test in a pySigma condition tree, in order."""
    if isinstance(cond, ConditionFieldEqualsValueExpression):
        if cond.field is None:
            raise Unsupported("a value without a field (keyword search)")
        return [Leaf(cond.field, cond.value)]
    if isinstance(cond, (ConditionAND, ConditionOR, ConditionNOT)):
        return [leaf for arg in cond.args for leaf in leaves(arg)]
    raise Unsupported(f"condition item {type(cond).__name__}")


def alternatives(value):
    """The values a leaf matches any of: an expansion (windash, base64offset) is several."""
    if isinstance(value, SigmaExpansion):
        return [v for item in value.values for v in alternatives(item)]
    return [value]


def string_shape(value):
    """How a Sigma string is matched: eq, startswith, endswith, contains or wildcard."""
    parts = value.s
    before = bool(parts) and parts[0] == SpecialChars.WILDCARD_MULTI
    after = len(parts) > int(before) and parts[-1] == SpecialChars.WILDCARD_MULTI
    inner = parts[int(before) : len(parts) - int(after)]
    if any(not isinstance(part, str) for part in inner):
        return "wildcard"
    return {(False, False): "eq", (True, False): "endswith", (False, True): "startswith",
            (True, True): "contains"}[(before, after)]


def leaf_kind(value):
    """A short name of what a leaf tests, for grouping disagreements."""
    if isinstance(value, SigmaExpansion):
        kinds = sorted({leaf_kind(v) for v in alternatives(value)})
        return "expansion:" + "|".join(kinds)
    if isinstance(value, SigmaCasedString):
        return "cased:" + string_shape(value)
    if isinstance(value, SigmaString):
        return "string:" + string_shape(value)
    if isinstance(value, SigmaRegularExpression):
        flags = "".join(sorted(SigmaRegularExpression.sigma_to_re_flag[f] for f in value.flags))
        return "regex" + (":" + flags if flags else "")
    if isinstance(value, SigmaBool):
        return "bool"
    if isinstance(value, SigmaNumber):
        return "number"
    if isinstance(value, SigmaNull):
        return "null"
    if isinstance(value, SigmaExists):
        return "exists:" + ("true" if value.exists else "false")
    if isinstance(value, SigmaCompareExpression):
        return "compare"
    raise Unsupported(f"value type {type(value).__name__}")


# ------------------------------------------------------------- the specification


# A number as JSON writes one, and a number as a field's text may be read as one.
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def text_of(value):
    """A field's value as the string Sigma compares: "All values are treated as
    case-insensitive strings" (Rules Specification, Detection, General). A number is its
    JSON text, a boolean `true`/`false`; null and a missing field have none."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return value


def wildcard_regex(value, cased):
    """A Sigma string as a regex over the whole text: `*` any run of characters, line
    breaks included ("an unbounded length wildcard"), `?` exactly one character."""
    pieces = []
    for part in value.s:
        if part == SpecialChars.WILDCARD_MULTI:
            pieces.append(r"[\s\S]*")
        elif part == SpecialChars.WILDCARD_SINGLE:
            pieces.append(r"[\s\S]")
        else:
            pieces.append(re.escape(part))
    return re.compile("".join(pieces), 0 if cased else re.IGNORECASE)


PERL_CLASSES = {"d": "0-9", "w": "0-9A-Za-z_", "s": " \\t\\n\\r\\f\\v"}


def ascii_classes(pattern):
    """The pattern with `\\d`, `\\w`, `\\s` (and, outside brackets, `\\D`, `\\W`, `\\S`)
    spelled out as ASCII: PCRE's classes, where Python's `re` would take Unicode digits and
    letters."""
    out = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt in PERL_CLASSES:
                members = PERL_CLASSES[nxt]
                out.append(members if in_class else f"[{members}]")
            elif nxt.lower() in PERL_CLASSES and not in_class:
                out.append(f"[^{PERL_CLASSES[nxt.lower()]}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def compare(op, left, right):
    return {
        CompareOperators.LT: left < right,
        CompareOperators.LTE: left <= right,
        CompareOperators.GT: left > right,
        CompareOperators.GTE: left >= right,
    }[op]


def leaf_matches(value, event, field):
    """Whether one leaf holds for the event (a dict of field name to value)."""
    present = field in event
    raw = event.get(field, MISSING)
    text = text_of(raw)
    if isinstance(value, SigmaExpansion):
        return any(leaf_matches(v, event, field) for v in value.values)
    if isinstance(value, SigmaExists):
        # "this check only verifies the presence of a field, not its value, be it empty or
        # null" (Modifiers Appendix, exists).
        return present == value.exists
    if isinstance(value, SigmaNull):
        # `field: null` matches where the field has no value: null, or not there at all.
        return raw is MISSING or raw is None
    if isinstance(value, SigmaString):
        cased = isinstance(value, SigmaCasedString)
        return text is not None and wildcard_regex(value, cased).fullmatch(text) is not None
    if isinstance(value, SigmaRegularExpression):
        flags = 0
        for flag in value.flags:
            flags |= SigmaRegularExpression.sigma_to_python_flags[flag]
        pattern = ascii_classes(str(value.regexp))
        return text is not None and re.search(pattern, text, flags) is not None
    if isinstance(value, SigmaBool):
        return text is not None and text.lower() == ("true" if value.boolean else "false")
    if isinstance(value, SigmaNumber):
        # A number is a string too: `4688` matches the text "4688", not "04688" or "4688.0".
        return text is not None and text == str(value.number)
    if isinstance(value, SigmaCompareExpression):
        # "Field is less than the value": the field's text read as a number, if it is one.
        if text is None or not NUMBER.fullmatch(text):
            return False
        return compare(value.op, float(text), float(value.number.number))
    raise Unsupported(f"value type {type(value).__name__}")


def spec_matches(cond, event):
    """The specification's verdict on a flat event for a pySigma condition tree."""
    if isinstance(cond, ConditionFieldEqualsValueExpression):
        return leaf_matches(cond.value, event, cond.field)
    if isinstance(cond, ConditionAND):
        return all(spec_matches(arg, event) for arg in cond.args)
    if isinstance(cond, ConditionOR):
        return any(spec_matches(arg, event) for arg in cond.args)
    if isinstance(cond, ConditionNOT):
        return not spec_matches(cond.args[0], event)
    raise Unsupported(f"condition item {type(cond).__name__}")


# ------------------------------------------------------------------ example values


def string_example(value, fill="", one="x"):
    """A text a Sigma string matches: `*` filled with `fill`, `?` with `one`."""
    out = []
    for part in value.s:
        if part == SpecialChars.WILDCARD_MULTI:
            out.append(fill)
        elif part == SpecialChars.WILDCARD_SINGLE:
            out.append(one)
        else:
            out.append(part)
    return "".join(out)


CATEGORY_EXAMPLE = {
    sre.CATEGORY_DIGIT: "0",
    sre.CATEGORY_WORD: "a",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_DIGIT: "a",
    sre.CATEGORY_NOT_WORD: "-",
    sre.CATEGORY_NOT_SPACE: "a",
}


def class_example(items):
    """One character of a `[...]` class."""
    negate = items and items[0][0] is sre.NEGATE
    if negate:
        for c in "a0_-xZ ":
            if re.fullmatch(class_source(items), c):
                return c
        return None
    op, arg = items[0]
    if op is sre.LITERAL:
        return chr(arg)
    if op is sre.RANGE:
        return chr(arg[0])
    if op is sre.CATEGORY:
        return CATEGORY_EXAMPLE.get(arg)
    return None


def class_source(items):
    """A `[...]` class back as regex text (for testing candidates against it)."""
    body = []
    for op, arg in items:
        if op is sre.NEGATE:
            body.append("^")
        elif op is sre.LITERAL:
            body.append(re.escape(chr(arg)))
        elif op is sre.RANGE:
            body.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is sre.CATEGORY:
            body.append({sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w",
                         sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_DIGIT: r"\D",
                         sre.CATEGORY_NOT_WORD: r"\W", sre.CATEGORY_NOT_SPACE: r"\S"}[arg])
    return "[" + "".join(body) + "]"


def pattern_example(parsed, any_char):
    """A shortest-ish text matched by a parsed regex, or None when one is not found."""
    out = []
    for op, arg in parsed:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op is sre.ANY:
            out.append(any_char)
        elif op is sre.IN:
            c = class_example(arg)
            if c is None:
                return None
            out.append(c)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, item = arg
            inner = pattern_example(item, any_char)
            if inner is None:
                return None
            out.append(inner * low)
        elif op is sre.SUBPATTERN:
            inner = pattern_example(arg[-1], any_char)
            if inner is None:
                return None
            out.append(inner)
        elif op is sre.ATOMIC_GROUP:
            inner = pattern_example(arg, any_char)
            if inner is None:
                return None
            out.append(inner)
        elif op is sre.BRANCH:
            inner = pattern_example(arg[1][0], any_char)
            if inner is None:
                return None
            out.append(inner)
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        else:
            return None
    return "".join(out)


def regex_example(value, any_char="a"):
    """A text the regex matches (checked), or None."""
    pattern = str(value.regexp)
    flags = 0
    for flag in value.flags:
        flags |= SigmaRegularExpression.sigma_to_python_flags[flag]
    try:
        example = pattern_example(sre_parse.parse(pattern, flags), any_char)
    except (re.error, RecursionError):
        return None
    if example is None or re.search(pattern, example, flags) is None:
        return None
    return example


def example(value):
    """A field value that satisfies one (non-expansion) leaf, or MISSING when the leaf
    holds on a missing field."""
    if isinstance(value, SigmaString):
        return string_example(value)
    if isinstance(value, SigmaRegularExpression):
        found = regex_example(value)
        return MISSING if found is None else found
    if isinstance(value, SigmaBool):
        return value.boolean
    if isinstance(value, SigmaNumber):
        return value.number
    if isinstance(value, SigmaNull):
        return MISSING
    if isinstance(value, SigmaExists):
        return "x" if value.exists else MISSING
    if isinstance(value, SigmaCompareExpression):
        number = value.number.number
        step = {CompareOperators.LT: -1, CompareOperators.LTE: 0, CompareOperators.GT: 1,
                CompareOperators.GTE: 0}[value.op]
        return number + step
    raise Unsupported(f"value type {type(value).__name__}")


def counter_example(value):
    """A field value (or MISSING) for which a leaf does not hold."""
    if isinstance(value, SigmaNull):
        return "x"
    if isinstance(value, SigmaExists) and not value.exists:
        return "x"
    return MISSING


# ------------------------------------------------------------------------- witness


def constraints(cond, positive, limit=8):
    """Up to `limit` partial events (field to value) meant to make `cond` come out as
    `positive`: the branches of an `or`, each side of an `and` merged."""
    if isinstance(cond, ConditionFieldEqualsValueExpression):
        values = alternatives(cond.value)
        if positive:
            return [{cond.field: example(v)} for v in values[:limit]]
        return [{cond.field: counter_example(values[0])}]
    if isinstance(cond, ConditionNOT):
        return constraints(cond.args[0], not positive, limit)
    conjunction = isinstance(cond, ConditionAND) == positive
    parts = [constraints(arg, positive, limit) for arg in cond.args]
    if not conjunction:
        return [option for part in parts for option in part][:limit]
    merged = [{}]
    for part in parts:
        merged = [combine(a, b) for a in merged for b in part][:limit]
    return merged


def combine(a, b):
    """Two partial events as one; two texts for one field are joined, so that several
    `contains` on one field (`|contains|all`) can hold together."""
    out = dict(a)
    for field, value in b.items():
        have = out.get(field, MISSING)
        if have is MISSING or have == value:
            out[field] = value
        elif value is MISSING:
            continue
        elif isinstance(have, str) and isinstance(value, str):
            out[field] = have + value
        else:
            out[field] = value
    return out


def witness(cond):
    """The first candidate event that satisfies `cond`, else the first candidate."""
    candidates = [
        {field: value for field, value in option.items() if value is not MISSING}
        for option in constraints(cond, True)
    ]
    for candidate in candidates:
        if spec_matches(cond, candidate):
            return candidate
    return candidates[0] if candidates else {}


# ------------------------------------------------------------------------ variants


def near_misses(text):
    """Texts a character off the value: one changed, one dropped at either end."""
    out = []
    for i, c in enumerate(text):
        if c.isalnum():
            other = "b" if c.lower() == "a" else "a"
            out.append(("char-changed", text[:i] + other + text[i + 1 :]))
            break
    if text:
        out.append(("last-char-dropped", text[:-1]))
        out.append(("first-char-dropped", text[1:]))
    return out


def text_variants(text):
    """Variants of a text the rule matches, by name."""
    out = [
        ("match", text),
        ("upper", text.upper()),
        ("lower", text.lower()),
        ("swapcase", text.swapcase()),
        ("prefixed", "x" + text),
        ("suffixed", text + "x"),
        ("surrounded", "x" + text + "x"),
        ("trailing-newline", text + "\n"),
        ("leading-newline", "\n" + text),
        ("trailing-space", text + " "),
        ("empty", ""),
    ]
    out += near_misses(text)
    for special in "%_*?\\'\"[":
        if special in text:
            out.append((f"literal-{name_of(special)}-replaced", text.replace(special, "a")))
    if "\\" in text:
        out.append(("backslash-doubled", text.replace("\\", "\\\\")))
    if JSON_NUMBER.fullmatch(text) and math.isfinite(float(text)):
        out.append(("as-number", json.loads(text)))
    return out


def name_of(special):
    return {"%": "percent", "_": "underscore", "*": "star", "?": "question", "\\": "backslash",
            "'": "quote", '"': "double-quote", "[": "bracket"}[special]


WILDCARD_FILLS = [
    ("wildcard-fill-specials", "%_*?\\'\"", "%"),
    ("wildcard-fill-newline", "a\nb", "\n"),
    ("wildcard-fill-long", "some text", "_"),
]


def string_variants(value):
    """Variants of a Sigma string: of its shortest match, and with its wildcards filled
    with special characters and line breaks."""
    out = text_variants(string_example(value))
    if any(not isinstance(part, str) for part in value.s):
        for name, fill, one in WILDCARD_FILLS:
            out.append((name, string_example(value, fill, one)))
        out.append(("wildcards-as-written", value.original))
        out.append(("wildcard-single-empty", string_example(value, "", "")))
    return out


def number_variants(number):
    text = str(number)
    out = [
        ("match", number),
        ("as-string", text),
        ("leading-zero-string", "0" + text),
        ("decimal", float(number) if abs(number) < 1e300 else number),
        ("decimal-string", text + ".0" if isinstance(number, int) else text + "0"),
        ("next", number + 1),
        ("next-string", str(number + 1)),
        ("trailing-space-string", text + " "),
        ("trailing-newline-string", text + "\n"),
        ("negated", -number),
        ("times-ten", number * 10),
    ]
    if isinstance(number, int) and number > 0 and number % 10 == 0:
        digits = text.rstrip("0")
        out.append(("exponent-string", f"{digits}e{len(text) - len(digits)}"))
    return out


def compare_variants(value):
    number = value.number.number
    out = number_variants(number)
    for delta in (-1, 1):
        out.append((f"{'below' if delta < 0 else 'above'}", number + delta))
        out.append((f"{'below' if delta < 0 else 'above'}-string", str(number + delta)))
    out += [
        ("ten-times-above-string", str(number * 10 + 10)),
        ("half-above", number + 0.5),
        ("not-a-number", "abc"),
        ("true", True),
    ]
    return out


def regex_variants(value):
    found = regex_example(value)
    if found is None:
        return []
    out = text_variants(found)
    newline = regex_example(value, any_char="\n")
    if newline is not None and newline != found:
        out.append(("dot-as-newline", newline))
    if re.search(r"[0-9]", found):
        # Arabic-Indic digits: `\d` in Python's re, not in PCRE's.
        arabic_indic = {ord("0") + i: 0x660 + i for i in range(10)}
        out.append(("unicode-digits", found.translate(arabic_indic)))
    return out


BOOL_VARIANTS = [
    ("true", True), ("false", False), ("true-string", "true"), ("true-title", "True"),
    ("false-string", "false"), ("one", 1), ("zero", 0), ("one-string", "1"), ("yes", "yes"),
]

PRESENCE_VARIANTS = [
    ("text", "x"), ("empty", ""), ("zero", 0), ("false", False), ("null-string", "null"),
]


def value_variants(value):
    """Named field values derived from one leaf value."""
    if isinstance(value, SigmaString):
        return string_variants(value)
    if isinstance(value, SigmaRegularExpression):
        return regex_variants(value)
    if isinstance(value, SigmaBool):
        return BOOL_VARIANTS
    if isinstance(value, SigmaNumber):
        return number_variants(value.number)
    if isinstance(value, SigmaCompareExpression):
        return compare_variants(value)
    if isinstance(value, (SigmaNull, SigmaExists)):
        return PRESENCE_VARIANTS
    raise Unsupported(f"value type {type(value).__name__}")


FIELD_VARIANTS = [("field-missing", MISSING), ("field-null", None)]


@dataclass
class Event:
    """One generated event (flat field names to values) and what it was made from."""

    fields: dict
    leaf_kind: str
    variant: str
    # The field the variant changed (None for the base event).
    field: str | None = None


def with_field(base, field, value):
    """The base event with `field` set to `value` (or removed, for MISSING)."""
    out = {k: v for k, v in base.items() if k != field}
    if value is not MISSING:
        out[field] = value
    return out


def leaf_events(base, leaf):
    """The variants of one leaf, each in the base event."""
    made = []
    for value in alternatives(leaf.value)[:4]:
        for name, variant in value_variants(value):
            made.append(Event(with_field(base, leaf.field, variant), leaf.kind, name, leaf.field))
    for name, variant in FIELD_VARIANTS:
        made.append(Event(with_field(base, leaf.field, variant), leaf.kind, name, leaf.field))
    if leaf.field in base and leaf.field.swapcase() != leaf.field:
        # The key written in another case: Sigma names fields as the log does, so this
        # is another field; SQLite column names ignore case.
        recased = with_field(base, leaf.field, MISSING)
        recased[leaf.field.swapcase()] = base[leaf.field]
        made.append(Event(recased, leaf.kind, "field-key-other-case", leaf.field))
    return made


def events(cond, max_events):
    """The base event and its variants, deduplicated, at most `max_events` (taken round
    robin over the leaves, so that every leaf gets some)."""
    base = witness(cond)
    per_leaf = [leaf_events(base, leaf) for leaf in leaves(cond)]
    chosen = [Event(base, "base", "base")]
    seen = {key(chosen[0])}
    for round_ in range(max(map(len, per_leaf), default=0)):
        for made in per_leaf:
            if round_ < len(made) and len(chosen) < max_events:
                event = made[round_]
                if key(event) not in seen:
                    seen.add(key(event))
                    chosen.append(event)
    return chosen


def key(event):
    return json.dumps(event.fields, sort_keys=True)
