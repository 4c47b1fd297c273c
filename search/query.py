"""From a query string to a Whoosh query over the exact and variant-key terms.

Whoosh's parser reads the syntax (AND/OR/NOT, "phrases", field:value, ranges)
with a tokenizer that keeps words as typed.  Each word, phrase or run of
adjacent name words ("Deir ez-Zor", "عين العرب") then becomes a *unit*, searched
as a phrase of exact spellings and as a phrase of variant keys, in ``title`` and
``body`` (which hold both kinds of term, see ``analysis.FieldAnalyzer``), plus
the unit's aliases.  An exact match scores as both, a variant match as a key
only, so exact spellings rank first, all else equal.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import fields, query
from whoosh.qparser import QueryParser
from whoosh.qparser.dateparse import DateParserPlugin

from search import names, translit
from search.aliases import AliasTable
from search.analysis import (
    ARABIC_CLITICS,
    LATIN_PARTICLES,
    LEADING_PARTICLE,
    ArticleFilter,
    CharNormalizeFilter,
    CommonWordFilter,
    PossessiveFilter,
    RasmTokenizer,
    english_words,
    exact_analyzer,
    field_term,
    fold_arabic,
    fold_latin,
    is_arabic,
    key_analyzer,
    key_terms,
)
from search.highlight import Patterns, Run
from search.lru import LRU, MISSING
from search.scoring import doc_frequency

MAX_QUERY_CHARS = 2000
MAX_WORDS = 64        # words searched (each brings its spellings and aliases in four fields)
MAX_DEPTH = 6         # nested parentheses: search time grows about 1.7x per level
MAX_BINARY_OPS = 10   # ANDNOT, ANDMAYBE, REQUIRE: Whoosh's parser time doubles with each one
MAX_EXPANSION = 1000  # words a wildcard may stand for
MAX_FORMS = 24        # words the name model finds for one query word, per script, at most
TEXT_FIELDS = {"text": ("title", "body"), "title": ("title",), "body": ("body",)}
# Score weights: exact spelling above variant key above alias, title above body.
BOOST = {"title": 3.0, "body": 1.5, "title_key": 2.0, "body_key": 1.0}
ALIAS_BOOST = 0.6
# A cross-script form written with and without the article, each in more than this share of
# the articles using it and in this many articles at least, is taken for a common word (see
# QueryBuilder._cross_script_names): one article each way is no evidence yet (a gazetteer or an
# outlet writes a name bare once: نجف beside النجف).
AMBIGUOUS_SHARE = 0.2
AMBIGUOUS_MIN = 2
NAME_USE, MIXED_USE, COMMON_USE = 0, 1, 2  # QueryBuilder._arabic_use

_EXACT = exact_analyzer()
_KEY = key_analyzer()


# Whoosh reads "2017-10-01" in a date field as the year 2017; written "20171001" it is that day.
_DATE_CLAUSE = re.compile(r"\bdate:(?:\[[^\]]*\]|\{[^}]*\}|\S+)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "-word" excludes, "+word" requires (the default); only at the start of a word: the hyphen
# of "al-Mayadin" is no NOT
_MINUS = re.compile(r"(?<![^\s(])-(?=[^\s-])")
_PLUS = re.compile(r"(?<![^\s(])\+(?=\S)")


class QueryError(ValueError):
    """A query that cannot be run, with a one-line reason."""


@dataclass
class ParsedQuery:
    """The Whoosh query, and the key-term patterns its positive parts match (for highlighting)."""

    text: str
    query: query.Query
    patterns: Patterns = field(default_factory=Patterns)
    expansions: dict[str, list[str]] = field(default_factory=dict)  # query words -> their aliases
    learned: dict[str, float] = field(default_factory=dict)  # words the name model found -> score
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)  # of those, found by way of


def _parse_schema() -> fields.Schema:
    words = RasmTokenizer()
    return fields.Schema(
        text=fields.TEXT(analyzer=words, multitoken_query="phrase"),
        title=fields.TEXT(analyzer=words, multitoken_query="phrase"),
        body=fields.TEXT(analyzer=words, multitoken_query="phrase"),
        source=fields.ID(),
        id=fields.ID(),
        path=fields.ID(),
        date=fields.DATETIME(),
    )


def _normalize_leaves(q: query.Query) -> query.Query:
    """``q`` with each leaf normalised (a phrase of one word is a term), its compound queries as
    they were parsed."""
    return q.normalize() if q.is_leaf() else q.apply(_normalize_leaves)


def _is_name_word(word: str) -> bool:
    """A query word that may belong to a multi-word name (so adjacent ones form a phrase)."""
    if is_arabic(word) or word[:1].isupper() or LEADING_PARTICLE.match(word):
        return True
    folded = fold_latin(word)
    return folded.isalpha() and folded not in english_words()


def _is_particle(q) -> bool:
    """A query word that is the Arabic article written apart ("ash", "es", "al") or a name's
    particle in small letters ("bin", "abu": ``NAME_PARTICLES``)."""
    if not (isinstance(q, query.Term) and q.fieldname in TEXT_FIELDS):
        return False
    folded = fold_latin(q.text)
    return folded in LATIN_PARTICLES or folded in _LATIN_NAME_PARTICLES


class QueryBuilder:
    """Parses query strings; one per search (it collects highlight patterns as it goes)."""

    def __init__(self, aliases: AliasTable | None = None, expand: bool = True, reader=None):
        self.aliases = aliases
        self.expand = expand
        self.reader = reader  # an index reader, to tell names from common words across scripts
        self.parser = QueryParser("text", _parse_schema())
        self.parser.add_plugin(DateParserPlugin(free=False))
        self.patterns = Patterns(exact=not expand)
        self.expansions: dict[str, list[str]] = {}

    def parse(self, text: str) -> ParsedQuery:
        """The query for ``text``; raises QueryError for an empty, oversized or invalid query."""
        if not text or not text.strip():
            raise QueryError("empty query")
        asked = text
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
        self.patterns = Patterns(exact=not self.expand)
        self.expansions = {}
        self.learned: dict[str, float] = {}
        self.chains: dict[str, tuple[str, ...]] = {}  # found through close spellings (names.corroborated)
        self.model_keys: set[str] = set()  # the Arabic keys of the words the name model found
        self._expanded = 0  # words the query's wildcards stand for so far
        _check_shape(text)
        text = _DATE_CLAUSE.sub(lambda m: _ISO_DATE.sub(r"\1\2\3", m.group()), text)
        text = _MINUS.sub("NOT ", text)
        text = _PLUS.sub(lambda m: "AND " if m.start() and text[m.start() - 1].isspace() else "", text)
        self._source = text
        try:
            # normalised leaf by leaf: Whoosh's own normalising drops a repeated word ("Mohamed
            # Sherif Mohamed Mohamed Awad" would lose two), which breaks the name's run
            parsed = _normalize_leaves(self.parser.parse(text, normalize=False))
        except Exception as e:  # Whoosh raises bare Exceptions for bad dates and ranges
            internal = isinstance(e, (AssertionError, IndexError, KeyError, TypeError, AttributeError))
            reason = ("" if internal else str(e).strip()) or \
                "its operators (AND, OR, NOT, ANDNOT, ANDMAYBE) cannot be read"
            raise QueryError(reason) from e
        for leaf in _leaves(parsed):
            if getattr(leaf, "error", None):
                raise QueryError(str(leaf.error))
        q = self._rewrite(parsed, positive=True)
        if q is None or q is query.NullQuery:
            raise QueryError("the query has no searchable words (the commonest words, such as "
                             "'the', 'of', 'في' and 'من', are not indexed)")
        if isinstance(q, query.Not):  # "-Raqqa" alone: every article without it
            q = query.And([query.Every(), q])
        if self.reader is not None:
            q = prune(q, self.reader)
        return ParsedQuery(asked, merge_terms(q), self.patterns, self.expansions, self.learned, self.chains)

    # ------------------------------------------------------------ rewriting
    def _rewrite(self, q: query.Query, positive: bool) -> query.Query | None:
        if isinstance(q, query.Term) and q.fieldname in TEXT_FIELDS:
            return self._unit(q.text, TEXT_FIELDS[q.fieldname], q.boost, positive)
        if isinstance(q, query.Phrase) and q.fieldname in TEXT_FIELDS:
            # quotes make a phrase of any words; like a name's words unquoted, it keeps its
            # spellings and aliases (only --exact turns those off)
            return self._unit(" ".join(q.words), TEXT_FIELDS[q.fieldname], q.boost, positive)
        if isinstance(q, (query.Prefix, query.Wildcard, query.FuzzyTerm)) and q.fieldname in TEXT_FIELDS:
            folded = fold_arabic(q.text) if is_arabic(q.text) else fold_latin(q.text)
            forms = (folded,) if is_arabic(folded) else (folded, ">" + folded)  # ">": construct state
            expanded = query.Or([q.__class__(f, form, boost=q.boost)
                                 for f in TEXT_FIELDS[q.fieldname] for form in forms])
            self._check_expansion(q, expanded)
            return expanded
        if isinstance(q, query.Every) and q.fieldname in TEXT_FIELDS:  # "*" alone: every article
            return query.Every()
        if isinstance(q, query.TermRange) and q.fieldname == "text":
            raise QueryError("a range needs a field, as in date:[2017-01-01 TO 2017-06-30]")
        if isinstance(q, query.TermRange) and q.fieldname in TEXT_FIELDS:  # body:[a TO c]: words
            self._check_expansion(q, q)
            return q
        if isinstance(q, query.Term) and q.fieldname in ("source", "id", "path"):
            text = q.text.lower() if q.fieldname == "source" else q.text
            return query.Term(q.fieldname, text, boost=q.boost)
        if isinstance(q, query.Not):
            inner = self._rewrite(q.query, positive=False)
            return query.Not(inner) if inner is not None else None
        if isinstance(q, query.AndNot):
            pos = self._rewrite(q.a, positive)
            neg = self._rewrite(q.b, positive=False)
            return query.AndNot(pos, neg) if pos is not None and neg is not None else pos
        if isinstance(q, (query.AndMaybe, query.Require)):
            a, b = self._rewrite(q.a, positive), self._rewrite(q.b, positive)
            if a is None or b is None:
                return a or b
            return q.__class__(a, b)
        if isinstance(q, query.And):
            return self._compound(q, query.And, positive, group_names=True)
        if isinstance(q, query.Or):
            return self._compound(q, query.Or, positive, group_names=False)
        if not q.is_leaf():
            return q.apply(lambda child: self._rewrite(child, positive) or query.NullQuery)
        return q

    def _check_expansion(self, q: query.Query, expanded: query.Query) -> None:
        """Refuses wildcards that together would search a large part of the vocabulary (with an
        index): the words of every wildcard of the query count against one limit."""
        if self.reader is None:
            return
        terms = (term for leaf in _leaves(expanded) for term in leaf.expanded_terms(self.reader))
        for _ in terms:
            self._expanded += 1
            if self._expanded > MAX_EXPANSION:
                what = getattr(q, "text", None) or f"[{q.start} TO {q.end}]"
                raise QueryError(f"the wildcards and ranges ({what!r} ...) match more than "
                                 f"{MAX_EXPANSION} different words: narrow them")

    def _compound(self, q, cls, positive: bool, group_names: bool):
        parts = []
        subs = list(q.subqueries)
        i = 0
        while i < len(subs):
            sub = subs[i]
            run_end = i
            if group_names and self._groupable(sub):
                run_end = self._run_end(subs, i)
            if run_end > i:
                words = self._source[sub.startchar:subs[run_end].endchar]
                parts.append(self._unit(words, TEXT_FIELDS[sub.fieldname], 1.0, positive))
            else:
                parts.append(self._rewrite(sub, positive))
            i = run_end + 1
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else cls(parts, boost=q.boost)

    @staticmethod
    def _groupable(q) -> bool:
        return (isinstance(q, query.Term) and q.fieldname in TEXT_FIELDS and q.boost == 1.0
                and getattr(q, "startchar", None) is not None and _is_name_word(q.text))

    def _adjacent(self, a, b) -> bool:
        return self._groupable(b) and self._next_to(a, b)

    def _run_end(self, subs: list, i: int) -> int:
        """The last of the name words that run on from ``subs[i]``: adjacent name words, and
        an article or a particle written apart between two of them ("Suq ash Shuyukh", "Wadi
        es Sir", "Osama bin Laden")."""
        end = i
        while end + 1 < len(subs):
            nxt = subs[end + 1]
            if self._adjacent(subs[end], nxt):
                end += 1
            elif (end + 2 < len(subs) and _is_particle(nxt) and self._next_to(subs[end], nxt)
                  and self._adjacent(nxt, subs[end + 2])):
                end += 2
            else:
                break
        return end

    def _next_to(self, a, b) -> bool:
        """Whether term ``b`` follows ``a`` in the same field with only white space between."""
        return (isinstance(b, query.Term) and a.fieldname == b.fieldname
                and getattr(b, "startchar", None) is not None
                and self._source[a.endchar:b.startchar].isspace())

    # ------------------------------------------------------------ units
    def _unit(self, words: str, fieldnames, boost: float, positive: bool):
        """The query for one name or phrase in the given exact fields, with its aliases."""
        own = self._unit_query(words, fieldnames, boost, positive, words)
        if own is None:
            return None
        # a name's first word that names write it without too ("Nahiyat", ناحية: "subdistrict"):
        # the rest is searched alone as well
        # and a name's nasab written without its particle ("X bin Y" as "X Y")
        if self.expand and self.reader is not None:
            shorter = [rest for rest in (self._without_prefix(words), _without_nasab(words)) if rest]
            bare = [q for rest in shorter if (q := self._unit_query(rest, fieldnames, boost, positive, rest))]
            if bare:
                own = query.Or([own, *bare])
        if not (self.expand and self.aliases):
            return own
        spelled = _spelling(words)
        if len(spelled) == 1 and spelled[0] in names.function_words():
            return own  # a function word (هما, "they two") is no name, nor an alias's
        aliases = self.aliases.others(words)
        # Scores add up over an Or, and a phrase scores per word: so each alias weighs its share
        # of ALIAS_BOOST, per word -- a group of ten aliases, or "Islamic State of Iraq and
        # Syria", must not outrank the spelling asked for.
        own_words = _word_count(words)
        spellings = [_spelling(words), *(_spelling(a.text) for a in aliases)]
        others = []
        searched = []
        for n, a in enumerate(aliases, 1):
            share = boost * ALIAS_BOOST * own_words / _word_count(a.text) / len(aliases)
            if a.source == "gazetteer" and is_arabic(a.text):
                other = self._arabic_name_query(a.text, fieldnames, share, positive, words)
            else:
                # "Islamic State of Iraq and Syria" finds nothing "Islamic State" does not: it is
                # marked in the text, but not searched (long phrases are the slowest queries)
                within = any(_contains(spellings[n], shorter) for i, shorter in enumerate(spellings)
                             if i != n and len(shorter) < len(spellings[n]))
                other = self._unit_query(a.text, fieldnames, share, positive, words, a.source,
                                         mark_only=within)
                if within and other is None:
                    searched.append(a.text)
                    continue
            if other is not None:
                searched.append(a.text)
                others.append(other)
        if positive and searched:
            self.expansions[words] = searched  # what was searched: a common-word form is not
        return query.Or([own, *others]) if others else own

    @staticmethod
    def _without_prefix(words: str) -> str | None:
        """``words`` without its first word where that is one of the name model's prefixes
        (``names.Model.prefixes``) and a name follows it; None otherwise."""
        readings = _position_readings(words)
        if len(readings) < 2:
            return None
        script, keys, _ = readings[0]
        if not any((script, key) in names.model().prefixes for key in keys):
            return None
        first = next(iter(_EXACT(words, chars=True, mode="query")), None)
        rest = words[first.endchar:].strip() if first is not None else ""
        return rest or None

    def _unit_query(self, words: str, fieldnames, boost: float, positive: bool, asked: str,
                    source: str = "alias", mark_only: bool = False):
        """The query for ``words``: typed by the user (``asked``) or an alias of ``asked``;
        with ``mark_only``, only the pattern that marks it in the text (and None)."""
        exact = _positions(_EXACT, words)
        # the model reads the words as typed; an alias is a name of the table, found by its rules
        if words == asked:
            learned, marked, vetoed = self._learned(words)
        else:
            learned = marked = _positions(_KEY, words)
            vetoed = frozenset()
        keys = [self._cross_script_names(terms) for terms in learned]
        # a one-word name's Arabic forms are found behind a clitic too (وحمص, "and Homs"), as an
        # Arabic query word is (its exact forms)
        clitic_forms = self._behind_clitics(keys[0]) if len(keys) == 1 and keys[0] and self.expand else []
        if self.expand and self.reader is not None and len(keys) == 1:
            # a name of one word: a word of a longer name has its other words for evidence
            more: set[str] = set()
            keys = [self._function_checked(keys[0], exact[0] if exact else [], more)]
            vetoed |= more
        if clitic_forms:
            keys[0] = keys[0] + ["=" + w for w in clitic_forms]
        # an Arabic word's own key only marks it in Arabic text: there it is found by its spelling
        if not exact or not all(keys):
            return None
        searched = [k[1:] if k[0].startswith("@") and len(k) > 1 else k for k in keys]
        if positive:
            marks = [self._cross_script_names(terms) for terms in marked] if self.expand else exact
            if self.expand:  # an Arabic word found behind a clitic is marked there too (وحماة)
                marks = [m + [k for k in map(_own_key, ts[1:]) if k]
                         for m, ts in zip(marks, exact, strict=False)]
                if marks and clitic_forms:
                    clitic_keys = [k for k in map(_own_key, clitic_forms) if k]
                    marks[0] = marks[0] + clitic_keys
                    # their keys hold other words too (لحماة and لهما are both lhma): not marked
                    vetoed |= {w for k in clitic_keys for w in names.key_words(self.reader, k)
                               if w not in clitic_forms}
                # the exact fields fold the hamza's seats (ئ to ي), the keys keep it: a word found
                # by its folded spelling is marked however the article wrote it (القايم, القائم)
                marks = [m + [k for t in ks + es[:1] if t[:1] == "=" or is_arabic(t)
                              for k in _hamza_keys(t.lstrip("="))]
                         for m, ks, es in zip(marks, keys, exact, strict=False)]
            alias = "" if words == asked else words
            self.patterns.runs.append(Run(tuple(frozenset(k) for k in marks), asked, alias, source, vetoed))
        if mark_only:
            return None
        # the exact fields are folded to lower case: an acronym ("IS") is searched by its key only
        acronym = any(all(t.startswith("#") for t in k) for k in keys)
        keyed = _field_terms(searched) if self.expand or acronym else None
        # a common word's key is its exact form: one query, with both weights
        same = keyed is not None and [set(ts) for ts in keyed] == [set(ts) for ts in exact]
        subqueries = []
        if not acronym and words == asked:
            for search_terms, mark_terms in self._rejoined(words, learned, marked) if self.expand else []:
                if positive:
                    marks = tuple(frozenset(k) for k in mark_terms)
                    self.patterns.runs.append(Run(marks, asked, "", source, vetoed))
                layout = _field_terms([self._cross_script_names(t) for t in search_terms])
                subqueries += [_field_query(name, layout, boost * BOOST[name + "_key"])
                               for name in fieldnames]
        for name in fieldnames:
            if same:
                subqueries.append(_field_query(name, exact, boost * (BOOST[name] + BOOST[name + "_key"])))
                continue
            if not acronym:
                subqueries.append(_field_query(name, exact, boost * BOOST[name]))
            if keyed is not None:
                subqueries.append(_field_query(name, keyed, boost * BOOST[name + "_key"]))
        return subqueries[0] if len(subqueries) == 1 else query.Or(subqueries)

    def _learned(self, words: str) -> tuple[list[list[str]], list[list[str]], frozenset[str]]:
        """The key terms of each word of ``words`` with the index's words the name model finds
        close to it (``search.names``), in either script: to search, and to mark (a Latin word
        is searched as written, ``=word``, and marked by its key too); and the words the model
        rules out of the spelling rules' matches (``_rule_checked``), not to be marked."""
        positions = _positions(_KEY, words)
        if not (self.expand and self.reader is not None):
            return positions, positions, frozenset()
        search, marks = [], []
        vetoed: set[str] = set()
        readings = _position_readings(words)
        slack = _slack(sum(1 for _, r, _ in readings if r))
        spelled = _positions(_EXACT, words) if len(positions) > 1 else ()
        ordinary = _ordinary_words(words)
        # a word of a longer name written as a name may be an English word ("Tall Bisih", "Wadi
        # Sir"), if it is no English word itself: English spells its words one way ("Free Syrian
        # Army" is no "Every Syrian Army")
        english = english_words()
        named = _position_named(words)
        for i, (terms, (script, keys, article)) in enumerate(zip(positions, readings, strict=False)):
            word = spelled[i][0] if i < len(spelled) and spelled[i] else ""  # of a longer name
            construct = any(t.startswith(">") for t in terms)
            found, marked = [], []
            for key in () if ordinary[i] else keys:
                f, m = self._model_terms(script, key, article, construct, slack=slack,
                                         named=named[i] and word not in english)
                found += f
                marked += m
            # a name's particle, however it is written (Bu, Abu, Abi; Bin, Ibn; Um, Umm; Abdul, Abd)
            forms = _particle_forms(word) if word else ()
            if word in english:
                # an English word: itself (the model gives it no English lookalikes), and its
                # other number ("Expert" / "Experts Partners")
                forms = (word, *forms, *_other_number(word, self.reader))
            found += [t for form in forms for t in ("=" + form, "=>" + form)]
            # marked by the keys the text's words have (their own, and in construct state)
            marked += [t for form in forms for key in key_terms(form, True)[:1]
                       for t in ((key,) if key[:1] == "@" else (key, ">" + key))]
            checked = self._rule_checked(terms, keys, vetoed) if script == names.LATIN and keys else {}
            search.append(list(dict.fromkeys(x for t in terms + found for x in checked.get(t, [t]))))
            marks.append(list(dict.fromkeys(terms + marked)))
        return search, marks, frozenset(vetoed)

    def _rule_checked(self, terms: list[str], readings: tuple[str, ...],
                      vetoed: set[str]) -> dict[str, list[str]]:
        """The spelling rules' Latin keys among ``terms`` that hold a word the name model finds
        too far from the query word (``names.rule_vetoed``), each with the exact terms of the
        key's other words, which it is searched by instead; the words ruled out are added to
        ``vetoed``."""
        out: dict[str, list[str]] = {}
        for term in terms:
            construct = term.startswith(">")
            key = term[1:] if construct else term
            if not key.isascii() or not key.isalpha():
                continue
            words = names.rule_words(self.reader, key)
            kept = [w for w, rs in words.items() if not names.rule_vetoed(readings, rs)]
            if len(kept) < len(words):
                out[term] = [("=>" if construct else "=") + w for w in sorted(kept)]
                vetoed.update(w for w in words if w not in kept)
        return out

    def _model_terms(self, script: str, key: str, article: bool, construct: bool,
                     targets: tuple[str, ...] | None = None,
                     slack: float = 0.0, named: bool = False) -> tuple[list[str], list[str]]:
        """The terms of the index's words the model finds close to one word's ``key``: to search
        and to mark."""
        found: list[str] = []
        marked: list[str] = []
        if not key:
            return found, marked
        other = names.ARABIC if script == names.LATIN else names.LATIN
        for target in targets or (script, other):
            # an English word may be a word of a longer name written as one ("Wadi Sir")
            near = names.similar_words(self.reader, script, key, target, slack, named and bool(slack))
            # spellings chain for a word of its own (a longer name's words vouch for each other;
            # a layout's parts are compared directly)
            if targets is None and not slack:
                chained = names.corroborated(self.reader, script, key, target)
                near = near | {w: score for w, (score, _) in chained.items()}
                for w, (_, witnesses) in chained.items():
                    self.chains.setdefault(w, witnesses)
            # the closest words only: a name has a few forms in a script, and a word of a long
            # name with its slack would otherwise bring a hundred lookalikes ("Mistura")
            near = dict(list(near.items())[:MAX_FORMS])
            strong = None
            for cand, score in near.items():
                if score < 1.0 or cand != names._stem(cand) or target != script:
                    self.learned[cand] = max(score, self.learned.get(cand, 0.0))
                if target == names.LATIN:
                    found += ["=" + cand, "=>" + cand] if construct else ["=" + cand]
                    # marked by its key, and in construct state too ("Saddat al Hindiyah")
                    rule_key = translit.latin_key(cand)
                    marked += ["=" + cand, rule_key, ">" + rule_key]
                    continue
                # a word of a longer name has its other words, in order, for evidence: the name
                # is no common word however this archive writes the word alone (الشيخ)
                use = NAME_USE if slack else self._arabic_use(cand)
                if use == COMMON_USE:
                    continue
                if use == MIXED_USE:  # as a common word needs: a strong match
                    if strong is None:
                        strong = names.similar_words(self.reader, script, key, target,
                                                     slack - names.COMMON_MARGIN)
                    if cand not in strong:
                        continue
                stem = names._stem(cand)
                arabic = names.word_key(stem)[1]
                self.model_keys.add(arabic)
                found.append("=" + cand)
                marked.append(("@@" if stem != cand else "@") + arabic)
        return found, marked

    def _arabic_use(self, word: str) -> int:
        """How this archive uses the Arabic ``word``, as ``_cross_script_names`` judges a form:
        COMMON_USE where it is no name's form here (written both with and without the article,
        each often: الميادين "the town" / ميادين "squares"; or ``word`` is the rarer way: قريتين
        "two villages" beside القريتين, the town); MIXED_USE where it is written both ways, but
        too seldom to tell (a gazetteer or an outlet writes a name bare once: نجف beside
        النجف; or a rare word: الغوث, غوث); NAME_USE otherwise.  The words of its key are
        counted too: المعيدين is written once each way, but its key often, so it is common."""
        stem = names._stem(word)
        with_article = doc_frequency(self.reader, "body", "ال" + stem)
        bare = doc_frequency(self.reader, "body", stem)
        key = names.word_key(stem)[1]
        # the words of its key count too, as they do for the rules' forms (and for marking)
        if _both_ways(with_article, bare) or _both_ways(doc_frequency(self.reader, "body", "@@" + key),
                                                        doc_frequency(self.reader, "body", "@" + key)):
            return COMMON_USE
        if (bare > with_article) if word != stem else (with_article > bare):
            return COMMON_USE
        return MIXED_USE if min(with_article, bare) else NAME_USE

    def _behind_clitics(self, terms: list[str]) -> list[str]:
        """The words of a Latin word's Arabic forms without the article (the rules' ``@key``,
        the model's ``=word``) behind each one-letter clitic (``ARABIC_CLITICS``: و ب ل ف ك
        and their pairs), as the index writes them: for words of three letters or more, as an
        Arabic query word looks for itself behind one (``ArticleFilter``), and where this archive
        writes the form, no more often than the word; a form with the article has the clitic in
        its key already (والرقة)."""
        if self.reader is None or terms[0].startswith("@"):
            return []
        words: list[str] = []
        for term in terms:
            if term.startswith("@") and not term.startswith("@@"):
                # of the key's words, the way this archive writes the name: the commonest (حمص
                # for hms, not همس; حماة for hma, not حمه "his fever")
                counts = {w: doc_frequency(self.reader, "body", w)
                          for w, function in names.key_words(self.reader, term).items() if not function}
                top = max(counts.values(), default=0)
                words += [w for w, n in counts.items() if n and n >= CLITIC_SHARE * top]
            elif term.startswith("=") and is_arabic(term[1:]) and not term.startswith("=ال"):
                words.append(term[1:])
        # a name is written behind a clitic less often than alone; a form more common than its
        # word is another word (كلية "college" is no ك + ليه)
        out = []
        for w in dict.fromkeys(w for w in words if len(w) >= 3):
            alone = doc_frequency(self.reader, "body", w)
            out += [c + w for c in ARABIC_CLITICS if 0 < doc_frequency(self.reader, "body", c + w) <= alone]
        return out

    def _function_checked(self, terms: list[str], written: list[str], vetoed: set[str]) -> list[str]:
        """A word's Arabic key terms (``@key``: its own, or a Latin word's forms by the spelling
        rules) with a key that also holds a function word of the index (``names.key_words``: "Hama"'s
        ``@hma`` holds هما, "they two", as well as حماة), searched as the key's other words;
        the function words are added to ``vetoed``, not to be marked.  A function word asked
        for (``written``: its exact terms) is searched by its spelling only: it is no name."""
        functions = names.function_words()
        if written and written[0] in functions:
            return ["=" + written[0]]  # a function word asked for is no name: found as written
        if self.reader is None:
            return terms  # without an index, no words of a key to search it by
        out = []
        for term in terms:
            if term.startswith("=") and term[1:] in functions and term[1:] not in written:
                vetoed.add(term[1:])  # the name model's: a function word is no name's spelling
                continue
            words = names.key_words(self.reader, term) if term.startswith("@") else {}
            if not any(words.values()):  # no function word of this key in the index
                out.append(term)
                continue
            out += ["=" + w for w, function in sorted(words.items()) if not function]
            vetoed.update(w for w, function in words.items() if function)
        # a word is found as written at least (its key may hold nothing else the index has)
        return out or ["=" + w for w in written[:1]]

    def _rejoined(self, words: str, learned: list[list[str]],
                  marked: list[list[str]]) -> list[tuple[list[list[str]], list[list[str]]]]:
        """Other layouts of ``words`` in the index's words, as (search, mark) terms per
        position: two words written as one ("Tell Kalakh" ~ "Tallkalakh", "Abd al-Karim" ~
        "Abdulkarim") and one word written as two ("Kifrabhum" ~ "Kafr Behum"); ``learned`` and
        ``marked`` are the words' own terms (``_learned``)."""
        if not (self.expand and self.reader is not None):
            return []
        keys = _position_keys(words)
        ordinary = _ordinary_words(words)
        layouts = []
        for i in range(len(keys) - 1):
            (s1, k1, a1), (s2, k2, a2) = keys[i], keys[i + 1]
            if not (k1 and k2 and s1 == s2) or ordinary[i] or ordinary[i + 1]:
                continue
            glue = ["", "a", "al"] if a2 else ["", "a"]
            found, mark = [], []
            # a word either of the two finds alone is no spelling of both ("Eyad Makhlouf" is
            # no "Makhluf": a long key may lose a short one's letters cheaply)
            alone = {t for terms in learned[i:i + 2] for t in terms}
            for g in glue:
                f, m = self._model_terms(s1, k1 + g + k2, a1, False)
                found += [t for t in f if t not in alone]
                mark += [t for t in m if t not in alone]
            if found:
                layouts.append((learned[:i] + [found] + learned[i + 2:],
                                marked[:i] + [mark] + marked[i + 2:]))
        named = _position_named(words)
        for i, (script, key, article) in enumerate(keys):
            if script != names.LATIN or not MIN_SPLIT <= len(key) <= MAX_SPLIT or ordinary[i]:
                continue
            splits = []
            for cut in range(MIN_PART, len(key) - MIN_PART + 1):
                left, right = key[:cut], key[cut:]
                right_article = False
                if right[:2] in _GLUED_ARTICLE_SLOTS and len(right) - 2 >= MIN_PART:
                    right, right_article = right[2:], True
                if _consonants(left) < 2 or _consonants(right) < 2:
                    continue
                # the two parts vouch for each other, as the words of a name of two do; the
                # first is found by its rules' key too, where the index holds it ("Talbiseh" ~
                # "Tall Bisih": "Tall" is an English word, no name the model compares)
                lf, lm = self._model_terms(script, left, article, True, (names.LATIN,), _slack(2), named[i])
                rule_key = translit.slots_key(left)
                if doc_frequency(self.reader, "body", field_term(">" + rule_key)):
                    lf, lm = lf + [">" + rule_key], lm + [">" + rule_key]
                if doc_frequency(self.reader, "body", field_term(rule_key)):
                    lf, lm = lf + [rule_key], lm + [rule_key]
                if not lf:
                    continue
                rf, rm = self._model_terms(script, right, right_article, False, (names.LATIN,), _slack(2),
                                           named[i])
                if rf:
                    splits.append((learned[:i] + [lf, rf] + learned[i + 1:],
                                   marked[:i] + [lm, rm] + marked[i + 1:]))
            layouts += splits[:MAX_SPLITS]
        return layouts[:MAX_LAYOUTS]

    def _arabic_name_query(self, words: str, fieldnames, boost: float, positive: bool, asked: str):
        """An Arabic place name from the gazetteer, searched in the key fields in the form (with or
        without the article) this archive writes it; None where it is also a common word."""
        slots, marks = [], []
        vetoed: set[str] = set()
        positions = _positions(_KEY, words)
        for terms in positions:
            kept = self._cross_script_names(["@" + terms[0].lstrip("@")], any_form=True)
            if not kept:
                return None
            marks.append(kept)
            slots.append(self._function_checked(kept, [], vetoed) if len(positions) == 1 else kept)
        if not all(slots):
            return None
        if positive:
            self.patterns.runs.append(Run(tuple(frozenset(k) for k in marks), asked, words, "gazetteer",
                                          frozenset(vetoed)))
        return query.Or([_field_query(name, _field_terms(slots), boost * BOOST[name + "_key"])
                         for name in fieldnames])

    def _cross_script_names(self, terms: list[str], any_form: bool = False) -> list[str]:
        """Drops the Arabic forms of a Latin word that this archive shows to be common words.

        A name is written one way in Arabic: always with the article (الرقة) or
        never (حمص).  Where a form also occurs the other way often enough
        (الميادين "the town" / ميادين "squares"), the Latin name is no evidence
        for it; where one way dominates, the other is another word (الحمص,
        "chickpeas") and only the dominant way is kept.
        """
        if self.reader is None or not any(t.startswith("@") for t in terms):
            return terms
        kept = [t for t in terms if not t.startswith("@")]
        # an Arabic query word's own form is kept as it is; with any_form the dominant form is kept
        # whichever was asked
        own = terms[0] if not any_form and terms[0].startswith("@") else None
        keys = dict.fromkeys(t.lstrip("@") for t in terms if t.startswith("@") and t != own)
        for key in keys:
            with_article = doc_frequency(self.reader, "body", "@@" + key)
            bare = doc_frequency(self.reader, "body", "@" + key)
            total = with_article + bare
            if total == 0 or _both_ways(with_article, bare):
                continue
            # written both ways, too seldom to tell: the rules' form is kept where the name model
            # finds it too (a gazetteer's name is evidence enough)
            mixed = min(with_article, bare) > AMBIGUOUS_SHARE * total
            if mixed and not any_form and key not in self.model_keys:
                continue
            dominant = "@@" + key if with_article >= bare else "@" + key
            if dominant in terms or any_form:
                kept.append(dominant)
        return ([own] if own else []) + kept


_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_BINARY_OP = re.compile(r"\b(?:ANDNOT|ANDMAYBE|REQUIRE)\b")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO"})


def _both_ways(with_article: int, bare: int) -> bool:
    """Whether a word's articles with and without the article say it is a common word (a name
    is written one way)."""
    fewer = min(with_article, bare)
    return fewer >= AMBIGUOUS_MIN and fewer > AMBIGUOUS_SHARE * (with_article + bare)


def _check_shape(text: str) -> None:
    """Refuses a query whose size, not its words, would make it slow: bounded by design."""
    words = sum(1 for w in _WORD_RE.findall(text) if w not in _OPERATOR_WORDS)
    if words > MAX_WORDS:
        raise QueryError(f"too many words ({words}; the limit is {MAX_WORDS})")
    ops = len(_BINARY_OP.findall(text))
    if ops > MAX_BINARY_OPS:
        raise QueryError(f"too many ANDNOT/ANDMAYBE/REQUIRE operators ({ops}; the limit is {MAX_BINARY_OPS})")
    depth = deepest = 0
    for c in text:
        if c == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif c == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        raise QueryError(f"parentheses nested too deep ({deepest} levels; the limit is {MAX_DEPTH})")


MIN_SPLIT = 7   # a word's model key letters, at least, to be tried as two words
MAX_SPLIT = 16  # and at most (a longer word is no name of two)
MIN_PART = 3    # letters of each part
MAX_SPLITS = 3  # layouts of one word as two
MAX_LAYOUTS = 6
_GLUED_ARTICLE_SLOTS = frozenset(["al", "ol", "el", "ul", "il"])  # "Abulkhasib": abu + al-Khasib


SLACK_PER_WORD = 2.0  # llr a word of a name of several words may lack, per other word
MAX_SLACK = 4.0


# what the exact fields fold a letter to, and from: a hamza's seat (ئ ؤ أ) and a final ى
_UNFOLDED = {"ي": "ئ", "و": "ؤ", "ا": "أ"}
CLITIC_SHARE = 0.5  # of the articles of a key's commonest word: its words sought behind a clitic
MAX_UNFOLDED = 3  # letters of a word tried unfolded: 2 ** 3 spellings at most


@lru_cache(maxsize=50_000)
def _hamza_keys(word: str) -> tuple[str, ...]:
    """The key terms of the spellings the exact fields fold to the Arabic ``word`` through a
    hamza's seat (رئيس to رييس, مسألة to مساله) or a final ى, other than ``word``'s own."""
    if not is_arabic(word):
        return ()
    start = 2 if word.startswith("ال") else 1
    places = [i for i in range(start, len(word)) if word[i] in _UNFOLDED][:MAX_UNFOLDED]
    spellings = {word}
    for i in places:
        spellings |= {w[:i] + _UNFOLDED[word[i]] + w[i + 1:] for w in spellings}
    if word.endswith("ي"):
        spellings |= {w[:-1] + "ى" for w in spellings}
    own = _own_key(word)
    return tuple(dict.fromkeys(k for k in map(_own_key, sorted(spellings - {word})) if k and k != own))


def _own_key(word: str) -> str:
    """The key term of an Arabic word as the key field holds it (``@hma``; the first of its
    query terms, the others being its readings in the other script)."""
    first = _positions(_KEY, word)[:1]
    return first[0][0] if first and first[0][0].startswith("@") else ""


def _slack(words: int) -> float:
    """How much less each word of a name of ``words`` words must score: its other words must
    match too, in order, so a false match needs several at once."""
    return min(MAX_SLACK, SLACK_PER_WORD * max(0, words - 1))


def _consonants(key: str) -> int:
    return sum(c.isalpha() and c not in translit.VOWEL_SLOTS for c in key)


def _position_keys(words: str) -> list[tuple[str, str, bool]]:
    """(script, model key, written with the article) of each word of ``words``, at the key
    analyzer's positions; key "" for a word the name model does not read (a common word, an
    acronym, a number)."""
    return [(script, keys[0] if keys else "", article) for script, keys, article in _position_readings(words)]


def _position_readings(words: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """As ``_position_keys``, with each word's model readings (``names.word_readings``; none
    for a word the model does not read)."""
    out = []
    tokens = _model_tokens(words)
    for i, (text, article, construct, _, written) in enumerate(tokens):
        first = key_terms(text, True, False, article)[:1]
        if not first or first[0][:1] in "=#":
            out.append(("", (), False))
            continue
        # a word before another of the name may be a construct's first, its ة said t
        may_be_construct = construct or i < len(tokens) - 1
        readings = [(script, key) for script, key in names.word_readings(text, may_be_construct) if key]
        if written:  # a word that begins as a clitic and the article also read whole: كالاس, Callas
            readings += [(script, key) for script, key in names.word_readings(written) if key]
        out.append((readings[0][0] if readings else "", tuple(k for _, k in readings), bool(article)))
    return out


def _model_tokens(words: str) -> tuple[tuple[str, bool, bool, bool, str], ...]:
    """(text, written with the article, in construct state, written as a name: capitalised or
    in Arabic script, and the Arabic word as written where a clitic came before the article
    ("" otherwise)) of each word the name model reads in ``words``, at the positions of
    ``_position_readings`` (remembered: a query asks for them several times)."""
    found = _MODEL_TOKENS.get(words)
    if found is MISSING:
        found = tuple((t.text, bool(t.article), bool(t.construct), t.text[:1].isupper() or is_arabic(t.text),
                       _clitic_written(t))
                      for t in _MODEL_WORDS(words, mode="query"))
        _MODEL_TOKENS.put(words, found)
    return found


_MODEL_TOKENS = LRU(10_000)


def _clitic_written(token) -> str:
    """The Arabic word as written, where the article ``ArticleFilter`` took off had a clitic
    before it (والرقة, كالاس); "" otherwise."""
    written = getattr(token, "written", "")
    return written if token.article and len(written) - len(token.text) > 2 else ""


# The particles of Arabic names, each in the forms it is written: Abu in its case forms and
# colloquial Bu; Ibn and Bin; Abd before al- or glued to it; Umm.  Within a name of several
# words (its other words vouch for it), one form finds the others, in both scripts.
NAME_PARTICLES = (
    frozenset({"abu", "abi", "aba", "abou", "abo", "bu", "ابو", "ابي", "ابا"}),
    frozenset({"ibn", "bin", "ben", "ebn", "ابن", "بن"}),
    frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "عبد"}),
    frozenset({"umm", "um", "om", "oum", "ام"}),
)


_LATIN_NAME_PARTICLES = frozenset(form for forms in NAME_PARTICLES for form in forms if form.isascii())


def _other_number(word: str, reader) -> tuple[str, ...]:
    """An English dictionary word's plural (or singular: a final s off) where that is a
    dictionary word too and the index holds it: organisations' names are written in either number
    ("Revolutionary Guard Corps", "Revolutionary Guards Corps")."""
    other = word[:-1] if word.endswith("s") else word + "s"
    if other not in english_words():
        return ()
    return (other,) if doc_frequency(reader, "body", other) or doc_frequency(reader, "title", other) else ()


def _without_nasab(words: str) -> str | None:
    """``words`` without an inner particle of descent (Ibn, Bin, ابن, بن: ``NAME_PARTICLES``),
    which lists and outlets often leave out ("Muhammad bin Mohamed Jedi" is also written
    "Muhammad Mohamed Jedi"); None for a name without one."""
    if not any(p and p[0] in NAME_PARTICLES[1] for p in _positions(_EXACT, words)[1:-1]):
        return None  # the common case, from the remembered positions: no second analysis
    spans: dict[int, tuple[str, int, int]] = {}  # position -> (word, start, end): the first token
    for token in _EXACT(words, chars=True, positions=True, mode="query"):
        if len(spans) > MAX_WORDS:
            break
        spans.setdefault(token.pos, (token.text, token.startchar, token.endchar))
    ordered = [spans[p] for p in sorted(spans)]
    for i in range(1, len(ordered) - 1):
        if ordered[i][0] in NAME_PARTICLES[1]:
            return (words[:ordered[i][1]].rstrip() + " " + words[ordered[i + 1][1]:]).strip()
    return None


def _particle_forms(word: str) -> tuple[str, ...]:
    """The other forms of a name's particle (``NAME_PARTICLES``), the word as the exact field
    holds it (a construct's ``>`` aside); none for another word."""
    word = word.removeprefix(">")
    for forms in NAME_PARTICLES:
        if word in forms:
            return tuple(sorted(forms - {word}))
    return ()


def _ordinary_words(words: str) -> list[bool]:
    """Whether each word of ``words`` (at ``_position_readings``'s positions) is an English
    dictionary word in small letters: no name, so the name model neither reads it nor splits
    or joins it ("sterling", "central bank"); it keeps its spelling rules' key.  A name typed
    so is read all the same ("raqqa")."""
    english = english_words()
    exact = _positions(_EXACT, words)
    return [not named and i < len(exact) and bool(exact[i]) and exact[i][0] in english
            for i, named in enumerate(_position_named(words))]


def _position_named(words: str) -> list[bool]:
    """Whether each word of ``words`` (at ``_position_readings``'s positions) is written as a
    name: capitalised, or in Arabic script."""
    return [named for _, _, _, named, _ in _model_tokens(words)]


_MODEL_WORDS = (RasmTokenizer() | CharNormalizeFilter() | CommonWordFilter() | PossessiveFilter()
                | ArticleFilter())


def _spelling(words: str) -> tuple[str, ...]:
    """The folded words of a name, one per position."""
    return tuple(ts[0] for ts in _positions(_EXACT, words))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether ``shorter`` (two words or more) occurs in ``longer`` as a run of words."""
    n = len(shorter)
    return n >= 2 and any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def _word_count(words: str) -> int:
    return max(1, len(_positions(_EXACT, words)))


def _positions(analyzer, words: str) -> list[list[str]]:
    """Token texts grouped by position, in order (remembered: a name's aliases are analysed for
    every query that names it)."""
    key = (id(analyzer), words)  # the query analyzers live as long as the module
    found = _POSITIONS.get(key)
    if found is MISSING:
        out: dict[int, list[str]] = {}
        for t in analyzer(words, positions=True, mode="query"):
            out.setdefault(t.pos, [])
            if t.text not in out[t.pos]:
                out[t.pos].append(t.text)
        found = tuple(tuple(out[p]) for p in sorted(out))
        _POSITIONS.put(key, found)
    return [list(terms) for terms in found]


_POSITIONS = LRU(50_000)


def _field_terms(positions: list[list[str]]) -> list[list[str]]:
    """Variant-key terms by position, as the text fields hold them (see ``field_term``)."""
    return [list(dict.fromkeys(map(field_term, ts))) for ts in positions]


def _field_query(fieldname: str, positions, boost: float) -> query.Query:
    slots = [query.Term(fieldname, ts[0]) if len(ts) == 1
             else query.Or([query.Term(fieldname, t) for t in ts]) for ts in positions]
    if len(slots) == 1:
        only = slots[0]
        only.boost = boost
        return only
    if all(len(ts) == 1 for ts in positions):
        return query.Phrase(fieldname, [ts[0] for ts in positions], boost=boost)
    return query.Sequence(slots, boost=boost)


def _leaves(q: query.Query):
    if q.is_leaf():
        yield q
    else:
        for child in q.children():
            yield from _leaves(child)


def prune(q: query.Query, reader) -> query.Query:
    """``q`` without the terms the index does not hold: the same matches from a much smaller
    query (a name brings dozens of spellings and forms; an archive holds a few of them)."""
    def holds(fieldname: str, text: str) -> bool:
        return doc_frequency(reader, fieldname, text) > 0

    def rebuilt(q: query.Query, children: list[query.Query]) -> query.Query:
        if len(children) == 1 and isinstance(q, (query.Or, query.And)):
            only = copy.copy(children[0])  # Whoosh drops a one-child compound's own boost
            only.boost = only.boost * q.boost
            return only
        new = copy.copy(q)
        new.subqueries = children
        return new

    def walk(q: query.Query) -> query.Query:
        if isinstance(q, query.Term):
            return q if holds(q.fieldname, q.text) else query.NullQuery
        if isinstance(q, query.Phrase):
            return q if all(holds(q.fieldname, w) for w in q.words) else query.NullQuery
        if isinstance(q, query.Not):
            return q  # its own children may match nothing: then the Not matches everything
        if isinstance(q, query.Sequence):  # every slot must match
            slots = [walk(c) for c in q.subqueries]
            return query.NullQuery if query.NullQuery in slots else rebuilt(q, slots)
        if isinstance(q, query.Or):
            kept = [c for c in map(walk, q.subqueries) if c is not query.NullQuery]
            return rebuilt(q, kept) if kept else query.NullQuery
        if isinstance(q, query.And):
            parts = [walk(c) for c in q.subqueries]
            return query.NullQuery if query.NullQuery in parts else rebuilt(q, parts)
        if isinstance(q, query.AndNot):
            positive = walk(q.a)
            return query.NullQuery if positive is query.NullQuery else query.AndNot(positive, q.b)
        if isinstance(q, query.AndMaybe):
            required = walk(q.a)
            if required is query.NullQuery:
                return query.NullQuery
            optional = walk(q.b)
            return required if optional is query.NullQuery else query.AndMaybe(required, optional)
        return q

    pruned = walk(q)
    # a query that can match nothing is kept as it was: it still finds nothing, and is shown
    return q if pruned is query.NullQuery else pruned


def merge_terms(q: query.Query) -> query.Query:
    """``q`` with each run of nested Ors flattened into one, and a term that comes up more than
    once in it (a spelling shared by several aliases, a word whose key is itself) searched once
    with the sum of its weights: the same scores (an Or adds its parts' scores, each scaled by
    its boost) from fewer, shallower matchers."""
    if _plain_or(q):
        terms: dict[tuple[str, str], float] = {}
        others: list[query.Query] = []

        def collect(node: query.Query, factor: float) -> None:
            for child in node.subqueries:
                if _plain_or(child):
                    collect(child, factor * child.boost)
                elif type(child) is query.Term:
                    key = (child.fieldname, child.text)
                    terms[key] = terms.get(key, 0.0) + factor * child.boost
                else:
                    child = merge_terms(child)
                    if factor != 1.0:
                        child = copy.copy(child)
                        child.boost = child.boost * factor
                    others.append(child)

        collect(q, 1.0)
        children = [query.Term(f, t, boost=b) for (f, t), b in terms.items()] + others
        if len(children) == 1:
            only = children[0]
            only.boost = only.boost * q.boost
            return only
        return query.Or(children, boost=q.boost)
    if isinstance(q, (query.And, query.AndNot, query.AndMaybe, query.Require, query.Not)):
        new = copy.copy(q)
        if isinstance(q, query.Not):
            new.query = merge_terms(q.query)
        elif isinstance(q, query.And):
            new.subqueries = [merge_terms(c) for c in q.subqueries]
        else:
            new.a, new.b = merge_terms(q.a), merge_terms(q.b)
        return new
    return q


def _plain_or(q: query.Query) -> bool:
    return type(q) is query.Or and not q.minmatch and not q.scale
