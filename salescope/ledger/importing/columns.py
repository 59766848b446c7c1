"""Column-wise validation of sales-line batches (H1, R12).

A daily file repeats the same few dates, customers, products, people and quantities hundreds of
thousands of times, so each *column* of a batch is converted once per distinct value and then
mapped back with a C-speed ``map``. Checks that need several cells of a row (an amount from
price × quantity, the default salesperson of the customer, 窜货) run as comprehensions over
the converted columns. A row's first error, in the order of ``_FIELD_ORDER``, is the one
reported, so the report reads the same as a row-by-row check would.
"""

import re
from collections.abc import Callable, Hashable
from itertools import zip_longest
from operator import itemgetter
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from salescope.ledger.choices import LineKind
from salescope.ledger.importing.fields import SALES_LINE_FIELDS, normalize_header
from salescope.ledger.importing.parse import CellError, DateParser, scaled
from salescope.ledger.importing.resolver import Resolver

TEXT_LIMITS = {
    "line_id": 80,
    "document": 80,
    "customer_code": 40,
    "customer_name": 200,
    "product_sku": 60,
    "product_name": 200,
    "brand": 100,
    "category": 100,
    "subcategory": 100,
    "salesperson": 150,
    "region": 100,
    "kind": 40,
    "channel": 40,
    "sale_location": 60,
}

KIND_WORDS = {
    normalize_header(word): kind
    for kind, words in {
        LineKind.SELL_IN: ("sell_in", "sell-in", "sellin", "进货", "出库", "发货", "销售", "SI"),
        LineKind.SELL_THROUGH: (
            "sell_through",
            "sell-through",
            "sellthrough",
            "sell out",
            "sellout",
            "流向",
            "动销",
            "纯销",
            "分销",
            "ST",
        ),
    }.items()
    for word in words
}


class Bad:
    """A converted cell that failed, with the reason shown in the error report."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _blank(raw: Any) -> bool:
    return raw is None or (raw.__class__ is str and not raw.strip())


def _fen(raw: Any) -> tuple[int, bool] | None:
    """Money to fen and whether it was rounded; ``None`` for a blank cell."""
    if raw.__class__ is str:
        whole, dot, frac = raw.strip().partition(".")
        if whole.isdigit() and (not dot or (frac.isdigit() and len(frac) <= 2)):
            return int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0), False
    if _blank(raw):
        return None
    return scaled(raw, 2)


_NOT_TWO_DECIMALS = re.compile(r"^(?!\d+\.\d\d$).*$", re.MULTILINE)


def _two_decimals(values: list[Any]) -> tuple[list[Any], list[int]] | None:
    """Fen of a text column written the way exports write money ("1234.50"), converted in C
    instead of cell by cell; returns them and the indexes of the cells written otherwise
    (blank, negative, other decimals, not a number), which the caller converts one by one.
    ``None`` when the column is not all text, or mostly written otherwise."""
    if set(map(type, values)) != {str}:
        return None
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1:  # a cell with a line break
        return None
    others, line, position = [], 0, 0
    for match in _NOT_TWO_DECIMALS.finditer(joined):
        line += joined.count("\n", position, match.start())
        position = match.start()
        others.append(line)
        if len(others) > len(values) // 4:
            return None
    if others:
        patched = list(values)
        for i in others:
            patched[i] = "0.00"
        joined = "\n".join(patched)
    return list(map(int, joined.replace(".", "").split("\n"))), others


def _milli(raw: Any) -> tuple[int, bool] | None:
    if raw.__class__ is str:
        text = raw.strip()
        if text.isdigit():
            return int(text) * 1000, False
    elif raw.__class__ is int:
        return raw * 1000, False
    if _blank(raw):
        return None
    return scaled(raw, 3)


def _whole(raw: Any) -> int | None:
    if raw.__class__ is str and raw.strip().isdigit():
        return int(raw)
    if _blank(raw):
        return None
    number, rounded = scaled(raw, 0)
    if rounded:
        raise CellError(_("not a whole number"))
    return number


def convert_column(values: list[Any], convert: Callable[[Any], Any]) -> tuple[list[Any], bool]:
    """``convert`` applied to each distinct value once; failures become :class:`Bad`."""
    table: dict[Hashable, Any] = {}
    failed = False
    # 1, 1.0 and True are equal keys; XLSX cells may mix them, so key those by type too.
    typed = not set(map(type, values)) <= _TEXT_TYPES
    keys = list(zip(map(type, values), values, strict=True)) if typed else values
    for key in set(keys):
        try:
            table[key] = convert(key[1] if typed else key)
        except CellError as exc:
            table[key] = Bad(str(exc))
            failed = True
    return list(map(table.__getitem__, keys)), failed


_TEXT_TYPES = {str, type(None)}


def _texts(values: list[Any]) -> list[str]:
    if set(map(type, values)) == {str}:
        return list(map(str.strip, values))
    return [
        v.strip() if v.__class__ is str else ("" if v is None else str(v).strip()) for v in values
    ]


class Columns(NamedTuple):
    cells: list[tuple[Any, ...]]  # one tuple per column of the file
    count: int  # rows in the batch


class BatchValidator:
    """Validates batches of rows of one file; keeps the lookups and caches across batches."""

    def __init__(
        self, mapping: dict[str, str], headers: list[str], create_missing: bool, date_format: str
    ):
        self.position = {field: headers.index(source) for source, field in mapping.items()}
        self.mapped = set(mapping.values())
        self.create_missing = create_missing
        self.dates = DateParser(date_format)
        self.resolver = Resolver()
        self.resolver.preload(self.mapped)
        self.rounded = 0

    def column(self, columns: Columns, name: str) -> list[Any]:
        at = self.position.get(name)
        if at is None or at >= len(columns.cells):
            return [None] * columns.count
        return list(columns.cells[at])

    def validate(self, rows: list[list[Any]]) -> tuple[list[list], dict[int, tuple[str, str]]]:
        """The staging columns (``merge.STAGE_COLUMNS``, one value per row, meaningless where
        the row failed) and {row index: (field, reason)}."""
        count = len(rows)
        # One transposition in C; short rows are padded with None.
        columns = Columns(list(zip_longest(*rows)), count)
        errors: dict[int, tuple[str, str]] = {}

        def fail_where(values: list[Any], name: str) -> None:
            for i, value in enumerate(values):
                if value.__class__ is Bad:
                    errors.setdefault(i, (name, value.reason))
                    values[i] = None

        # Texts, with their length limits.
        text: dict[str, list[str]] = {}
        for name in TEXT_LIMITS:
            if name not in self.mapped:
                text[name] = [""] * count
                continue
            values = text[name] = _texts(self.column(columns, name))
            limit = TEXT_LIMITS[name]
            if max(map(len, values), default=0) > limit:
                reason = _("longer than %d characters") % limit
                for i, value in enumerate(values):
                    if len(value) > limit:
                        errors.setdefault(i, (name, reason))

        # The natural key: the line id, else document#line number.
        line_nos, failed = convert_column(self.column(columns, "line_no"), _whole)
        if failed:
            fail_where(line_nos, "line_no")
        no_key = _("no line id and no document with a line number")
        documents = text["document"]
        if "line_id" not in self.mapped and None not in line_nos and "" not in documents:
            keys = list(map("{}#{}".format, documents, line_nos))  # the common file, in C
        else:
            keys = [
                line_id or (f"{doc}#{no}" if doc and no is not None else None)
                for line_id, doc, no in zip(text["line_id"], documents, line_nos, strict=True)
            ]
            for i, key in enumerate(keys):
                if key is None:
                    errors.setdefault(i, ("line_id", no_key))

        dates, failed = convert_column(self.column(columns, "date"), self.dates)
        if failed:
            fail_where(dates, "date")
        isos = {d: d.isoformat() for d in set(dates) if d is not None}
        days = list(map(isos.get, dates))
        month_of = {d: iso[:8] + "01" for d, iso in isos.items()}
        months = list(map(month_of.get, dates))

        customers = self._customers(text, errors)
        products = self._products(text, errors)
        quantities, amounts, prices, costs, profits, discounts, rounded = self._amounts(
            columns, products, errors
        )
        people = self._people(text, customers, errors)
        regions = self._regions(text, people, errors)
        kinds, failed = convert_column(text["kind"], self._kind)
        if failed:
            fail_where(kinds, "kind")

        resolver = self.resolver
        info = {p: resolver.product_info[p] for p in set(products) if p}
        brands = list(map({p: i[0] for p, i in info.items()}.get, products))
        categories = list(map({p: i[1] for p, i in info.items()}.get, products))
        locations = text["sale_location"]
        if "sale_location" in self.mapped:
            cross = [
                bool(kind == "sell_through" and place and resolver.outside_area(customer, place))
                for kind, place, customer in zip(kinds, locations, customers, strict=True)
            ]
        else:
            cross = [False] * count
        self.rounded += sum(1 for i in rounded if i not in errors)
        staged = [
            keys,
            text["line_id"],
            text["document"],
            line_nos,
            days,
            months,
            kinds,
            customers,
            products,
            brands,
            categories,
            people,
            regions,
            text["channel"],
            locations,
            quantities,
            prices,
            amounts,
            costs,
            profits,
            discounts,
            cross,
        ]
        return staged, errors

    @staticmethod
    def _kind(text: str) -> str:
        if not text:
            return LineKind.SELL_IN.value
        kind = KIND_WORDS.get(normalize_header(text))
        if kind is None:
            raise CellError(_("unknown kind (use sell_in or sell_through)"))
        return str(kind)

    def _customers(self, text: dict[str, list[str]], errors: dict) -> list[int | None]:
        resolver, codes = self.resolver, text["customer_code"]
        customers = list(map(resolver.customer_by_code.get, codes))  # the common case, in C
        if None not in customers:
            return customers
        # The rest: by name when there is no code, created with create_missing, or unknown.
        names = text["customer_name"]
        named = "customer_name" in self.mapped
        described = {
            i: (codes[i], names[i]) if named else codes[i]
            for i, pk in enumerate(customers)
            if pk is None
        }
        creatable = (
            {key for i, key in described.items() if i not in errors}
            if self.create_missing
            else set()
        )
        found: dict[Any, int | None] = {}
        for key in set(described.values()):
            code, name = key if named else (key, "")
            found[key] = resolver.customer(code, name, key in creatable)
        reason = _("unknown customer")
        by_code = "customer_code" in self.mapped
        for i, key in described.items():
            pk = customers[i] = found[key]
            if pk is None:
                column = "customer_code" if codes[i] or by_code else "customer_name"
                errors.setdefault(i, (column, reason))
        return customers

    def _products(self, text: dict[str, list[str]], errors: dict) -> list[int | None]:
        resolver = self.resolver
        products = list(map(resolver.product_by_sku.get, text["product_sku"]))
        if None not in products:  # every SKU known: the common case, in C
            return products
        # The rest: by name when there is no SKU, created with create_missing, or unknown.
        names = ("product_sku", "product_name", "brand", "category", "subcategory")
        columns = [text[name] for name in names]
        described = {
            i: tuple(column[i] for column in columns) for i, pk in enumerate(products) if pk is None
        }
        creatable = (
            {key for i, key in described.items() if i not in errors}
            if self.create_missing
            else set()
        )
        found: dict[tuple[str, ...], int | None] = {}
        for key in set(described.values()):
            found[key] = resolver.product(*key, key in creatable)
        reason = _("unknown product")
        by_sku = "product_sku" in self.mapped
        for i, key in described.items():
            pk = products[i] = found[key]
            if pk is None:
                column = "product_sku" if key[0] or by_sku else "product_name"
                errors.setdefault(i, (column, reason))
        return products

    def _money(self, columns: Columns, name: str, errors: dict, rounded: set[int]) -> list:
        raw = self.column(columns, name)
        inexact: set[Any] = set()

        def fen(cell: Any) -> int | None:
            converted = _fen(cell)
            if converted is None:
                return None
            if converted[1]:
                inexact.add(cell)
            return converted[0]

        fast = _two_decimals(raw)
        if fast is None:
            values, failed = convert_column(raw, fen)
        else:
            values, others = fast
            converted, failed = convert_column([raw[i] for i in others], fen)
            for i, value in zip(others, converted, strict=True):
                values[i] = value
        if failed:
            for i, value in enumerate(values):
                if value.__class__ is Bad:
                    errors.setdefault(i, (name, value.reason))
                    values[i] = None
        if inexact:
            rounded.update(i for i, cell in enumerate(raw) if cell in inexact)
        return values

    def _amounts(self, columns: Columns, products: list[int | None], errors: dict):  # noqa: C901 - one pass per measure, in the order a row is checked
        rounded: set[int] = set()
        raw_quantities, failed = convert_column(self.column(columns, "quantity"), _milli)
        missing, negative = _("quantity is missing"), _("negative quantity")
        quantities: list[int | None] = []
        if not failed and None not in raw_quantities:
            quantities = list(map(itemgetter(0), raw_quantities))
            if any(map(itemgetter(1), raw_quantities)) or min(quantities, default=0) < 0:
                quantities = []  # some rounded or negative: row by row below
        for i, value in enumerate(raw_quantities if not quantities else ()):
            if value is None:
                errors.setdefault(i, ("quantity", missing))
                quantities.append(None)
            elif value.__class__ is Bad:
                errors.setdefault(i, ("quantity", value.reason))
                quantities.append(None)
            else:
                if value[1]:
                    rounded.add(i)
                if value[0] < 0:
                    errors.setdefault(i, ("quantity", negative))
                quantities.append(value[0])
        prices = self._money(columns, "unit_price", errors, rounded)
        amounts = self._money(columns, "amount", errors, rounded)
        if None in amounts:
            no_amount = _("amount is missing")
            for i, amount in enumerate(amounts):
                if amount is not None or i in errors:
                    continue
                price, quantity = prices[i], quantities[i]
                if price is None:
                    errors[i] = ("amount", no_amount)
                    continue
                exact = price * quantity
                amounts[i] = (exact + 500) // 1000
                if exact % 1000:
                    rounded.add(i)
        negative_amount = _("negative amount")
        if min(filter(None, amounts), default=0) < 0:
            for i, amount in enumerate(amounts):
                if amount is not None and amount < 0:
                    errors.setdefault(i, ("amount", negative_amount))
        if None in prices:
            prices = [
                price
                if price is not None
                else ((a * 1000 + q // 2) // q if a is not None and q else 0)
                for price, a, q in zip(prices, amounts, quantities, strict=True)
            ]
        costs = self._money(columns, "cost", errors, rounded)
        profits = self._money(columns, "gross_profit", errors, rounded)
        info = self.resolver.product_info
        if None in costs:
            costs = [
                cost
                if cost is not None
                else (
                    a - gp
                    if gp is not None and a is not None
                    else ((info[p][2] * q + 500) // 1000 if p and q is not None else None)
                )
                for cost, gp, a, p, q in zip(
                    costs, profits, amounts, products, quantities, strict=True
                )
            ]
        if None in profits:
            profits = [
                gp if gp is not None else (a - c if a is not None and c is not None else None)
                for gp, a, c in zip(profits, amounts, costs, strict=True)
            ]
        discounts = [d or 0 for d in self._money(columns, "discount", errors, rounded)]
        return quantities, amounts, prices, costs, profits, discounts, rounded

    def _people(
        self, text: dict[str, list[str]], customers: list[int | None], errors: dict
    ) -> list:
        owners = self.resolver.customer_owner
        if "salesperson" not in self.mapped:
            return list(map(owners.get, customers))
        users = self.resolver.user_by_name
        found = {
            name: users.get(name.lower()) or users.get(name)
            for name in set(text["salesperson"])
            if name
        }
        if "" in text["salesperson"]:
            people = [
                found[name] if name else owners.get(c)
                for name, c in zip(text["salesperson"], customers, strict=True)
            ]
        else:
            people = list(map(found.__getitem__, text["salesperson"]))
        if None in found.values():
            reason = _("unknown salesperson")
            for i, name in enumerate(text["salesperson"]):
                if name and found[name] is None:
                    errors.setdefault(i, ("salesperson", reason))
        return people

    def _regions(self, text: dict[str, list[str]], people: list, errors: dict) -> list:
        user_region = self.resolver.user_region
        if "region" not in self.mapped:
            return list(map(user_region.get, people))
        by_name = self.resolver.region_by_name
        found = {name: by_name.get(normalize_header(name)) for name in set(text["region"]) if name}
        regions = [
            found[name] if name else (user_region.get(p) if p else None)
            for name, p in zip(text["region"], people, strict=True)
        ]
        if None in found.values():
            reason = _("unknown region")
            for i, name in enumerate(text["region"]):
                if name and found[name] is None:
                    errors.setdefault(i, ("region", reason))
        return regions


assert set(TEXT_LIMITS) <= set(SALES_LINE_FIELDS)  # noqa: S101 - a typo here would drop a column
