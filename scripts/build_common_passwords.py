"""Build mantelzorg/accounts/data/common-passwords.txt.gz (see the README beside it).

    python scripts/build_common_passwords.py /usr/share/dict/dutch

One password or word a line, lower case, most likely first: Django's list of 20,000 common
passwords, then Dutch favourites with the endings people add, then the Dutch words of the
OpenTaal word list (Debian package ``wdutch``) of 3 to 10 letters, shorter words first.
"""

import gzip
import sys
from pathlib import Path

import django

OUT = Path(__file__).resolve().parent.parent / "mantelzorg" / "accounts" / "data" / "common-passwords.txt.gz"

# Words Dutch people put in passwords (our own list: months, days, seasons, clubs, cities, pets,
# terms of endearment, names, and the words of the site itself).
DUTCH_FAVOURITES = """
wachtwoord paswoord password welkom welkom01 geheim geheimpje hallo hoi hoihoi doei test testen
inloggen toegang gebruiker beheer beheerder admin veilig sleutel computer internet
ikhouvanjou ikhouvanje liefde schatje schat lieverd liefje prinses prinsesje engel engeltje
mama papa oma opa moeder vader zoon dochter kinderen gezin familie baby
zomer winter lente herfst zon zonneschijn regenboog vlinder bloem bloemen tulp roos zonnebloem
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
januari februari maart april mei juni juli augustus september oktober november december
voetbal ajax feyenoord psv az twente utrecht vitesse oranje nederland holland hollandia
amsterdam rotterdam denhaag eindhoven groningen tilburg almere breda nijmegen arnhem haarlem
zwolle leiden maastricht apeldoorn enschede amersfoort zaandam dordrecht
hond hondje poes poesje kat katje konijn paard paardje vogel beer beertje muis
kaas fiets fietsen molen klomp stroopwafel drop patat frikandel bier
jezus god geloof vrijheid gezondheid geluk gelukkig vrede hoop
mantelzorg mantelzorger zorg zorgen balans balanscheck gemeente steunpunt
jan piet kees henk gerrit willem johan peter hans karin monique linda sandra anna emma sophie
julia lotte daan sem lucas finn levi noah milan jesse thomas tim bram luuk ruben sanne lisa
""".split()
ENDINGS = ["", "1", "12", "123", "1234", "12345", "123456", "01", "!", "1!", "123!", "11", "00", "99"] + [
    str(year) for year in range(1950, 2031)
]


def main(opentaal: str) -> None:
    django_list = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"
    seen: dict[str, None] = {}
    with gzip.open(django_list, "rt", encoding="utf-8") as f:
        for line in f:
            seen.setdefault(line.strip().lower(), None)
    for word in DUTCH_FAVOURITES:
        for ending in ENDINGS:
            seen.setdefault(word + ending, None)
    words = Path(opentaal).read_text(encoding="utf-8").split()
    simple = sorted(
        {w for w in words if w.isascii() and w.isalpha() and w.islower() and 3 <= len(w) <= 10},
        key=lambda w: (len(w), w),
    )
    for word in simple:
        seen.setdefault(word, None)
    seen.pop("", None)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:  # mtime 0: the same input gives the same bytes
        f.write(("\n".join(seen) + "\n").encode("utf-8"))
    print(f"{OUT}: {len(seen)} entries")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/dict/dutch")
