"""Edit a YAML list (ruamel's round-trip objects) without losing the user's comments.

ruamel keeps the comment lines written below a list item with that item: removing the item
would delete them, appending after the last item would put the comments of the next key above
the new item. These helpers move such lines to where they belong.
"""

from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken


def _split(token) -> tuple[str, str]:
    """A list item's comment token: (its own end-of-line comment, the lines below it)."""
    if token is None:
        return "", ""
    head, _, below = token.value.partition("\n")
    return head, below


def _token(seq, index):
    entry = seq.ca.items.get(index)
    return entry[0] if entry else None


def _set_token(seq, index: int, value: str) -> None:
    token = _token(seq, index)
    if not value.strip():
        seq.ca.items.pop(index, None)
    elif token is not None:
        token.value = value  # keeps the column of an end-of-line comment
    else:
        seq.ca.items[index] = [CommentToken(value, CommentMark(0)), None, None, None]


def remove_item(mapping, key: str, index: int) -> None:
    """Remove item `index` of the list `mapping[key]`; the comment lines below it stay."""
    seq = mapping[key]
    _, below = _split(_token(seq, index))
    del seq[index]  # ruamel moves the later items' comments along
    if not below.strip():
        return
    if index > 0:
        head, rest = _split(_token(seq, index - 1))
        _set_token(seq, index - 1, f"{head}\n{rest}{below}")
    elif len(seq):
        _comments_before_first_item(mapping, key).extend(_lines(below))
    else:  # the list is empty now (`key: []`): its comment lines go below it
        entry = mapping.ca.items.get(key)
        above = "".join(token.value for token in (entry[3] if entry and entry[3] else []))
        if entry:
            entry[3] = None
        seq.ca.comment = None
        _comments_after_list(mapping, key, above + below)


def _lines(text: str) -> list[CommentToken]:
    tokens = []
    for line in text.splitlines():
        if line.strip():
            column = len(line) - len(line.lstrip())
            tokens.append(CommentToken(line.strip() + "\n", CommentMark(column)))
    return tokens


def _comments_before_first_item(mapping, key: str) -> list:
    """ruamel keeps them on the mapping's entry for the key (shared with the list's own)."""
    entry = mapping.ca.items.setdefault(key, [None, None, None, None])
    if entry[3] is None:
        entry[3] = []
        mapping[key].ca.comment = [None, entry[3]]
    return entry[3]


def _comments_after_list(mapping, key: str, text: str) -> None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    keys = list(mapping)
    following = keys[keys.index(key) + 1 :]
    if following:
        words = [line.removeprefix("#").removeprefix(" ") for line in lines]
        mapping.yaml_set_comment_before_after_key(following[0], before="\n".join(words))
    else:
        mapping.ca.end = [*(mapping.ca.end or []), *_lines(text)]


def append_item(seq, value) -> None:
    """Append; the comment lines below the old last item stay below the list."""
    last = len(seq) - 1
    head, below = _split(_token(seq, last)) if last >= 0 else ("", "")
    seq.append(value)
    if below.strip():
        _set_token(seq, last, f"{head}\n" if head else "")
        _set_token(seq, last + 1, f"\n{below}")
