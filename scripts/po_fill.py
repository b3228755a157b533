"""Fill French translations into app/translations/fr/LC_MESSAGES/messages.po.

Usage: python scripts/po_fill.py translations.json   (a JSON object: English msgid -> French)
Run `make i18n` first so the msgids exist. Only empty or fuzzy entries are filled unless
--force is given. Prints the msgids still untranslated.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "app/translations/fr/LC_MESSAGES/messages.po"


def _translated(message):
    # A plural entry's empty value is a tuple of empty strings, which is truthy.
    if isinstance(message.string, tuple):
        return all(message.string)
    return bool(message.string)


def main(argv):
    force = "--force" in argv
    paths = [a for a in argv if not a.startswith("--")]
    wanted = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            wanted.update(json.load(fh))
    with open(PO, "rb") as fh:
        catalog = read_po(fh, locale="fr")
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in wanted and (force or not _translated(message) or message.fuzzy):
            value = wanted[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=100)
    missing = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    for m in missing:
        print("untranslated:", m)


if __name__ == "__main__":
    main(sys.argv[1:])
