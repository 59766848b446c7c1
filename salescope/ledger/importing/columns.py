"""Column-wise validation of sales-line batches in polars (H1, R12).

A batch arrives as a data frame of text columns (``readers.Table.frames``). Whatever can be
checked on the whole column runs in polars, in Rust: plain numbers and money ("1234.50"),
lengths, keys, lookups by code, the sums between columns (an amount from price × quantity,
a cost from the product's). Everything else is converted once per *distinct* value by the
cell parsers of ``parse.py`` — a daily file repeats the same few dates, customers, products,
people and odd cells hundreds of thousands of times — and joined back.

A row's first error, in the order of the checks below, is the one reported, so the report
reads the same as a row-by-row check would: texts (in ``TEXT_LIMITS`` order), line number,
key, date, customer, product, quantity, unit price, amount, cost, gross profit, discount,
salesperson, region, kind.
"""

from collections.abc import Callable
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from salescope.core.importing.parse import CellError, DateParser, scaled
from salescope.ledger.choices import LineKind
from salescope.ledger.importing.fields import SALES_LINE_FIELDS, normalize_header
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
        LineKind.SELL_IN: (
            "sell_in",
            "sell-in",
            "sellin",
            "进货",
            "出库",
            "发货",
            "销售",
            "SI",
            # ERP business types (用友 销售类型, 金蝶 业务类型): all sales to the customer.
            "普通销售",
            "标准销售",
            "经销",
            "直销",
            "批发",
            "零售",
            "分期收款",
            "委托代销",
            "直运销售",
        ),
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


# Fen and thousandths stay well inside 64 bits, sums of a million of them too.
LARGEST = 10**15
_PLAIN_MONEY = r"^[0-9]{1,13}(?:\.[0-9]{1,2})?$"
_PLAIN_WHOLE = r"^[0-9]{1,12}$"


def _too_large(value: int) -> int:
    if abs(value) > LARGEST:
        raise CellError(_("number too large"))
    return value


def _fen(raw: Any) -> tuple[int, bool] | None:
    """Money to fen and whether it was rounded; ``None`` for a blank cell."""
    text = raw.strip() if raw.__class__ is str else raw
    if text is None or text == "":
        return None
    value, rounded = scaled(text, 2)
    return _too_large(value), rounded


def _milli(raw: Any) -> tuple[int, bool] | None:
    text = raw.strip() if raw.__class__ is str else raw
    if text is None or text == "":
        return None
    value, rounded = scaled(text, 3)
    return _too_large(value), rounded


def _whole(raw: Any) -> int | None:
    text = raw.strip() if raw.__class__ is str else raw
    if text is None or text == "":
        return None
    number, rounded = scaled(text, 0)
    if rounded:
        raise CellError(_("not a whole number"))
    return _too_large(number)


def _whole_exact(raw: Any) -> tuple[int, bool] | None:
    """``_whole`` in the shape ``scaled_column`` takes: never rounded (it refuses instead)."""
    number = _whole(raw)
    return None if number is None else (number, False)


def convert_distinct(
    values: pl.Series, convert: Callable[[str], Any], dtype: pl.DataType
) -> tuple[pl.Series, pl.Series]:
    """``convert`` applied once per distinct value: (the values, null where ``convert``
    gave ``None`` or failed; the reasons, null where it did not fail)."""
    distinct = values.unique().to_list()
    converted: list[Any] = []
    reasons: list[str | None] = []
    for raw in distinct:
        try:
            converted.append(convert(raw))
            reasons.append(None)
        except CellError as exc:
            converted.append(None)
            reasons.append(str(exc))
    table = pl.DataFrame(
        {
            "raw": pl.Series(distinct, dtype=values.dtype),
            "value": pl.Series(converted, dtype=dtype),
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )
    joined = values.to_frame("raw").join(table, on="raw", how="left", maintain_order="left")
    return joined["value"], joined["reason"]


def lookup(values: pl.Series, mapping: dict, dtype: pl.DataType = pl.Int64) -> pl.Series:
    """``mapping[value]`` for each value, null where the mapping has no such key."""
    present = {k: v for k, v in mapping.items() if k is not None}
    if not present:
        return pl.Series(values.name, [None] * len(values), dtype=dtype)
    return values.replace_strict(present, default=None, return_dtype=dtype)


def _repeat(value: Any, count: int, dtype: pl.DataType) -> pl.Series:
    return pl.repeat(value, count, dtype=dtype, eager=True)


class _Errors:
    """The checks a batch failed, in the order they ran. A row's error is its first failed
    check; the checks are kept as masks and resolved in one pass (``first``)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.checks: list[tuple[pl.Series, str | pl.Series, str | pl.Series]] = []
        self.values: dict[int, pl.Series] = {}  # check → the cell each row failed it with

    def add(
        self,
        where: pl.Series,
        field: str | pl.Series,
        reason: str | pl.Series,
        value: pl.Series | None = None,
    ) -> None:
        """``value``: the cells the check looked up, so the import can report each unknown
        value once (with its count of lines) instead of once per line."""
        if where.any():
            if value is not None:
                self.values[len(self.checks)] = value
            self.checks.append((where.fill_null(False), field, reason))

    def first_values(self) -> pl.Series:
        """The looked-up cell of each row's first failed check, where that check kept it."""
        if not self.values:
            return _repeat(None, self.count, pl.String)
        columns: dict[str, pl.Series] = {}
        values = []
        for i, (mask, _f, _r) in enumerate(self.checks):
            columns[f"m{i}"] = mask
            if i in self.values:
                columns[f"v{i}"] = self.values[i].cast(pl.String)
                values.append(pl.when(pl.col(f"m{i}")).then(pl.col(f"v{i}")))
            else:
                values.append(pl.when(pl.col(f"m{i}")).then(pl.lit("\0")))
        first = pl.DataFrame(columns).select(pl.coalesce(values).alias("value")).to_series()
        return first.replace("\0", None)

    @property
    def failed(self) -> pl.Series:
        if not self.checks:
            return _repeat(False, self.count, pl.Boolean)
        masks = pl.DataFrame([mask.alias(f"m{i}") for i, (mask, _f, _r) in enumerate(self.checks)])
        return masks.select(pl.any_horizontal(pl.all())).to_series()

    def first(self) -> tuple[pl.Series, pl.Series]:
        """(field, reason) of each row's first failed check; null where none failed."""
        if not self.checks:
            return _repeat(None, self.count, pl.String), _repeat(None, self.count, pl.String)
        columns: dict[str, pl.Series] = {}
        fields, reasons = [], []
        for i, (mask, field, reason) in enumerate(self.checks):
            columns[f"m{i}"] = mask
            if isinstance(field, pl.Series):
                columns[f"f{i}"] = field
            if isinstance(reason, pl.Series):
                columns[f"r{i}"] = reason
            failed = pl.when(pl.col(f"m{i}"))
            fields.append(failed.then(pl.lit(field) if isinstance(field, str) else pl.col(f"f{i}")))
            reasons.append(
                failed.then(pl.lit(reason) if isinstance(reason, str) else pl.col(f"r{i}"))
            )
        first = pl.DataFrame(columns).select(
            pl.coalesce(fields).alias("field"), pl.coalesce(reasons).alias("reason")
        )
        return first["field"], first["reason"]


def _where(condition: pl.Series, then: pl.Series, otherwise: pl.Series) -> pl.Series:
    return then.zip_with(condition.fill_null(False), otherwise)


class BatchValidator:
    """Validates batches of one file; keeps the lookups and caches across batches."""

    def __init__(
        self,
        mapping: dict[str, str],
        headers: list[str],
        create_missing: bool,
        date_format: str,
        actor: Any = None,
    ):
        self.actor = actor
        self.discount_is_rate: bool | None = None
        self.position = {field: headers.index(source) for source, field in mapping.items()}
        self.mapped = set(mapping.values())
        self.create_missing = create_missing
        self.dates = DateParser(date_format)
        self.resolver = Resolver()
        self.resolver.preload(self.mapped)
        self.rounded = 0
        self._tables: dict[str, tuple[int, pl.Series, pl.Series]] = {}

    def _lookup(self, values: pl.Series, name: str) -> pl.Series:
        """``values`` looked up in the resolver's dictionary ``name`` (code → id, id → owner…).
        Its keys and values are kept as series between batches, and built again when
        ``create_missing`` adds to it."""
        mapping = getattr(self.resolver, name)
        cached = self._tables.get(name)
        if cached is None or cached[0] != len(mapping):
            keys = [k for k in mapping if k is not None]
            cached = (
                len(mapping),
                pl.Series(keys),
                pl.Series([mapping[k] for k in keys], dtype=pl.Int64),
            )
            self._tables[name] = cached
        if not len(cached[1]):
            return _repeat(None, len(values), pl.Int64)
        return values.replace_strict(cached[1], cached[2], default=None, return_dtype=pl.Int64)

    def _product_info(self, products: pl.Series, at: int) -> pl.Series:
        """The products' brand (0), category (1) or standard cost (2), null where unknown."""
        info = self.resolver.product_info
        return lookup(products, {p: info[p][at] for p in products.unique().to_list() if p})

    def column(self, frame: pl.DataFrame, name: str) -> pl.Series:
        """The field's cells as text, "" where blank or missing."""
        at = self.position.get(name)
        if at is None or f"c{at}" not in frame.columns:
            return _repeat("", frame.height, pl.String)
        return frame[f"c{at}"].fill_null("")

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(The good rows as ``merge.STAGE_SCHEMA`` plus ``src_line``, their line in the
        file; the bad rows as ``line``, ``field``, ``reason``.)"""
        count = frame.height
        errors = _Errors(count)

        text: dict[str, pl.Series] = {}
        for name, limit in TEXT_LIMITS.items():
            if name not in self.mapped:
                text[name] = _repeat("", count, pl.String)
                continue
            values = text[name] = self.column(frame, name).str.strip_chars()
            errors.add(values.str.len_chars() > limit, name, _("longer than %d characters") % limit)

        # The natural key: the line id, else document#line number.
        line_nos, reasons, _rounded = scaled_column(
            self.column(frame, "line_no"), _whole_exact, _PLAIN_WHOLE, 0
        )
        errors.add(reasons.is_not_null(), "line_no", reasons)
        errors.add(line_nos.abs() > 2**31 - 1, "line_no", _("number too large"))
        documents = text["document"]
        by_document = pl.select(
            pl.when((documents != "") & line_nos.is_not_null()).then(
                pl.concat_str([documents, pl.lit("#"), line_nos.cast(pl.String)])
            )
        ).to_series()
        line_ids = text["line_id"]
        keys = _where(line_ids != "", line_ids, by_document).alias("line_key")
        errors.add(keys.is_null(), "line_id", _("no line id and no document with a line number"))

        dates, reasons = convert_distinct(self.column(frame, "date"), self.dates, pl.Date)
        errors.add(reasons.is_not_null(), "date", reasons)
        days = dates.dt.to_string("%Y-%m-%d")
        months = dates.dt.truncate("1mo").dt.to_string("%Y-%m-%d")

        customers = self._customers(text, errors)
        products = self._products(text, errors)
        measures, rounded = self._amounts(frame, products, errors)
        people = self._people(text, customers, errors)
        regions = self._regions(text, people, errors)
        kinds, reasons = convert_distinct(text["kind"], self._kind, pl.String)
        errors.add(reasons.is_not_null(), "kind", reasons)

        brands = self._product_info(products, 0)
        categories = self._product_info(products, 1)
        locations = text["sale_location"]
        cross = _repeat(False, count, pl.Boolean)
        if "sale_location" in self.mapped:
            cross = self._cross_territory(kinds, locations, customers)

        fields, reasons = errors.first()
        good = reasons.is_null()
        self.rounded += (rounded & good).sum()
        staged = pl.DataFrame(
            [
                keys,
                line_ids.alias("line_id"),
                documents.alias("document"),
                line_nos.cast(pl.Int64).alias("line_no"),
                days.alias("date"),
                months.alias("month"),
                kinds.alias("kind"),
                customers.alias("customer_id"),
                products.alias("product_id"),
                brands.alias("brand_id"),
                categories.alias("category_id"),
                people.alias("salesperson_id"),
                regions.alias("region_id"),
                text["channel"].alias("channel"),
                locations.alias("sale_location"),
                *measures,
                cross.alias("cross_territory"),
                frame["line"].alias("src_line"),
            ]
        )
        bad = pl.DataFrame(
            [
                frame["line"].alias("line"),
                fields.alias("field"),
                reasons.alias("reason"),
                errors.first_values().alias("value"),
            ]
        )
        return staged.filter(good), bad.filter(~good)

    @staticmethod
    def _kind(text: str) -> str:
        if not text:
            return LineKind.SELL_IN.value
        kind = KIND_WORDS.get(normalize_header(text))
        if kind is None:
            raise CellError(_("unknown kind (use sell_in or sell_through)"))
        return str(kind)

    def _customers(self, text: dict[str, pl.Series], errors: _Errors) -> pl.Series:
        resolver, codes = self.resolver, text["customer_code"]
        customers = self._lookup(codes, "customer_by_code")
        unknown = customers.is_null()
        if not unknown.any():  # the common case
            return customers
        # The rest: by name when there is no code, created with create_missing, or unknown.
        names = text["customer_name"]
        named = "customer_name" in self.mapped
        rows = pl.DataFrame({"code": codes, "name": names, "failed": errors.failed}).filter(unknown)
        keys = rows.group_by("code", "name", maintain_order=True).agg(pl.col("failed").all())
        found = {}
        wanted = []
        for code, name, failed in keys.iter_rows():
            found[(code, name)] = pk = resolver.customer(code, name if named else "")
            if pk is None and self.create_missing and not failed:
                wanted.append((code, name if named else ""))
        if wanted:  # created in one go, then looked up like the others
            resolver.create_customers(wanted)
            for code, name, _failed in keys.iter_rows():
                if found[(code, name)] is None:
                    found[(code, name)] = resolver.customer(code, name if named else "")
        pairs = pl.DataFrame(
            {
                "code": [k[0] for k in found],
                "name": [k[1] for k in found],
                "pk": pl.Series(list(found.values()), dtype=pl.Int64),
            }
        )
        resolved = pl.DataFrame({"code": codes, "name": names}).join(
            pairs, on=["code", "name"], how="left", maintain_order="left"
        )["pk"]
        customers = customers.fill_null(resolved)
        by_code = "customer_code" in self.mapped
        field = _where(
            (codes != "") | by_code,
            _repeat("customer_code", len(codes), pl.String),
            _repeat("customer_name", len(codes), pl.String),
        )
        errors.add(
            customers.is_null(), field, _("unknown customer"), _where(codes != "", codes, names)
        )
        return customers

    _PRODUCT_TEXTS = ("product_sku", "product_name", "brand", "category", "subcategory")

    def _products(self, text: dict[str, pl.Series], errors: _Errors) -> pl.Series:
        resolver = self.resolver
        skus = text["product_sku"]
        products = self._lookup(skus, "product_by_sku")
        unknown = products.is_null()
        if not unknown.any():  # every SKU known: the common case
            return products
        # The rest: by name when there is no SKU, created with create_missing, or unknown.
        described = pl.DataFrame({name: text[name] for name in self._PRODUCT_TEXTS})
        rows = described.with_columns(errors.failed.alias("failed")).filter(unknown)
        keys = rows.group_by(*self._PRODUCT_TEXTS, maintain_order=True).agg(pl.col("failed").all())
        found = {}
        wanted = []
        for *key, failed in keys.iter_rows():
            found[tuple(key)] = pk = resolver.product(key[0], key[1])
            if pk is None and self.create_missing and not failed:
                wanted.append(tuple(key))
        if wanted:  # created in one go, then looked up like the others
            resolver.create_products(wanted)
            for key in found:
                if found[key] is None:
                    found[key] = resolver.product(key[0], key[1])
        pairs = pl.DataFrame(
            {
                **{name: [k[i] for k in found] for i, name in enumerate(self._PRODUCT_TEXTS)},
                "pk": pl.Series(list(found.values()), dtype=pl.Int64),
            }
        )
        resolved = described.join(
            pairs, on=list(self._PRODUCT_TEXTS), how="left", maintain_order="left"
        )["pk"]
        products = products.fill_null(resolved)
        by_sku = "product_sku" in self.mapped
        where_sku = (skus != "") | by_sku
        field = _where(
            where_sku,
            _repeat("product_sku", len(skus), pl.String),
            _repeat("product_name", len(skus), pl.String),
        )
        errors.add(
            products.is_null(),
            field,
            _("unknown product"),
            _where(skus != "", skus, text["product_name"]),
        )
        return products

    def _money(
        self, frame: pl.DataFrame, name: str, errors: _Errors
    ) -> tuple[pl.Series, pl.Series]:
        if name not in self.mapped:
            return _repeat(None, frame.height, pl.Int64), _repeat(False, frame.height, pl.Boolean)
        values, reasons, rounded = scaled_column(self.column(frame, name), _fen, _PLAIN_MONEY, 2)
        errors.add(reasons.is_not_null(), name, reasons)
        return values, rounded

    def _discount_is_rate(self, raw: pl.Series) -> bool | None:
        """Whether the discount column holds rates (0.2, "20%") rather than amounts: any cell
        written with %, or every figure between 0 and 1 with at least one a fraction (a column
        of amounts has figures of 1 or more). Undecided (None) while the cells are blank or 0;
        once decided, the whole file is read the same way."""
        if self.discount_is_rate is not None:
            return self.discount_is_rate
        if "discount_rate" in self.mapped:
            self.discount_is_rate = True
            return True
        cells = raw.filter(raw != "")
        if not len(cells):
            return None
        if cells.str.ends_with("%").any():
            self.discount_is_rate = True
            return True
        numbers = cells.cast(pl.Float64, strict=False).drop_nulls()
        if not len(numbers) or (numbers == 0).all():
            return None
        self.discount_is_rate = bool(
            (numbers.abs() <= 1).all() and ((numbers > 0) & (numbers < 1)).any()
        )
        return self.discount_is_rate

    def _discounts(
        self, frame: pl.DataFrame, amounts: pl.Series, errors: _Errors
    ) -> tuple[pl.Series, pl.Series]:
        """The discount in fen. A column of rates (0.2 or 20%) is recognised as such, never
        taken as an amount: the line's amount is the amount after the discount, so the discount
        is amount × rate ÷ (1 − rate); a rate outside 0 ≤ rate < 1 is refused."""
        name = "discount_rate" if "discount_rate" in self.mapped else "discount"
        if name not in self.mapped:
            return _repeat(None, frame.height, pl.Int64), _repeat(False, frame.height, pl.Boolean)
        raw = self.column(frame, name).str.strip_chars()
        if not self._discount_is_rate(raw):
            return self._money(frame, name, errors)
        percent = raw.str.ends_with("%")
        number = raw.str.strip_suffix("%").str.strip_chars().cast(pl.Float64, strict=False)
        rate = _where(percent, number / 100, number)
        blank = raw == ""
        bad = ~blank & (rate.is_null() | (rate < 0) | (rate >= 1))
        errors.add(bad, name, _("not a discount rate (between 0 and 1, or 0%–99%)"), raw)
        rate = _where(blank | bad, _repeat(0.0, frame.height, pl.Float64), rate)
        exact = amounts.cast(pl.Float64) * rate / (1 - rate)
        discounts = exact.round(0).cast(pl.Int64, strict=False)
        return discounts, (exact != exact.round(0)).fill_null(False)

    def _amounts(self, frame: pl.DataFrame, products: pl.Series, errors: _Errors):
        """The six measures, and which rows had a figure rounded."""
        quantities, reasons, rounded = scaled_column(
            self.column(frame, "quantity"), _milli, _PLAIN_WHOLE, 3
        )
        missing = quantities.is_null() & reasons.is_null()
        errors.add(missing, "quantity", _("quantity is missing"))
        errors.add(reasons.is_not_null(), "quantity", reasons)
        errors.add(quantities < 0, "quantity", _("negative quantity"))

        prices, inexact = self._money(frame, "unit_price", errors)
        rounded = rounded | inexact
        amounts, inexact = self._money(frame, "amount", errors)
        rounded = rounded | inexact
        p, q, a = pl.col("price"), pl.col("quantity"), pl.col("amount")
        if amounts.null_count():
            no_amount = amounts.is_null() & ~errors.failed
            errors.add(no_amount & prices.is_null(), "amount", _("amount is missing"))
            derive = no_amount & prices.is_not_null()
            exact = p.cast(pl.Int128) * q  # fen × thousandths
            derived = pl.DataFrame({"price": prices, "quantity": quantities}).select(
                ((exact + 500) // 1000).clip(-LARGEST - 1, LARGEST + 1).cast(pl.Int64),
                ((exact % 1000) != 0).alias("inexact"),
            )
            amount, inexact = derived.to_series(0), derived.to_series(1)
            errors.add(derive & (amount.abs() > LARGEST), "amount", _("number too large"))
            amounts = _where(derive, amount, amounts)
            rounded = rounded | (derive & inexact)
        errors.add(amounts < 0, "amount", _("negative amount"))
        if prices.null_count():
            # A price from amount ÷ quantity, rounded half-up; 0 without a quantity.
            derived = (
                pl.DataFrame({"amount": amounts, "quantity": quantities})
                .select(
                    pl.when(q != 0)
                    .then((a.cast(pl.Int128) * 1000 + q // 2) // q)
                    .clip(-LARGEST - 1, LARGEST + 1)
                    .cast(pl.Int64)
                    .fill_null(0)
                )
                .to_series()
            )
            too_large = prices.is_null() & (derived.abs() > LARGEST)
            errors.add(too_large, "unit_price", _("number too large"))
            prices = prices.fill_null(derived)
        costs, inexact = self._money(frame, "cost", errors)
        rounded = rounded | inexact
        profits, inexact = self._money(frame, "gross_profit", errors)
        rounded = rounded | inexact
        if costs.null_count():
            unit_costs = self._product_info(products, 2)
            from_product = (
                pl.DataFrame({"cost": unit_costs, "quantity": quantities})
                .select(
                    ((pl.col("cost").cast(pl.Int128) * q + 500) // 1000)
                    .clip(-LARGEST - 1, LARGEST + 1)
                    .cast(pl.Int64)
                )
                .to_series()
            )
            from_profit = amounts - profits
            too_large = costs.is_null() & from_profit.is_null() & (from_product.abs() > LARGEST)
            errors.add(too_large, "cost", _("number too large"))
            costs = costs.fill_null(from_profit).fill_null(from_product)
        if profits.null_count():
            profits = profits.fill_null(amounts - costs)
        discounts, inexact = self._discounts(frame, amounts, errors)
        rounded = rounded | inexact
        measures = [
            quantities.alias("quantity_milli"),
            prices.alias("unit_price_fen"),
            amounts.alias("amount_fen"),
            costs.alias("cost_fen"),
            profits.alias("gross_profit_fen"),
            discounts.fill_null(0).alias("discount_fen"),
        ]
        return measures, rounded

    def _people(
        self, text: dict[str, pl.Series], customers: pl.Series, errors: _Errors
    ) -> pl.Series:
        resolver = self.resolver
        owners = self._lookup(customers, "customer_owner")
        if "salesperson" not in self.mapped:
            return owners
        users = resolver.user_by_name
        names = text["salesperson"]
        found = {
            name: users.get(name.lower()) or users.get(name)
            for name in names.unique().to_list()
            if name
        }
        people = lookup(names, found)
        errors.add((names != "") & people.is_null(), "salesperson", _("unknown salesperson"), names)
        return _where(names == "", owners, people)

    def _regions(self, text: dict[str, pl.Series], people: pl.Series, errors: _Errors) -> pl.Series:
        resolver = self.resolver
        of_person = self._lookup(people, "user_region")
        if "region" not in self.mapped:
            return of_person
        names = text["region"]
        found = {
            name: resolver.region_by_name.get(normalize_header(name))
            for name in names.unique().to_list()
            if name
        }
        if self.create_missing and None in found.values():
            # Regions named by lines that pass every other check are created under the company.
            usable = set(names.filter(~errors.failed).unique().to_list())
            for name, pk in found.items():
                if pk is None and name in usable:
                    found[name] = resolver.region(name, self.actor)
        regions = lookup(names, found)
        errors.add((names != "") & regions.is_null(), "region", _("unknown region"), names)
        return _where(names == "", of_person, regions)

    def _cross_territory(
        self, kinds: pl.Series, places: pl.Series, customers: pl.Series
    ) -> pl.Series:
        """窜货 (F5): sell-through reported outside the dealer's sales area."""
        rows = pl.DataFrame({"customer": customers, "place": places})
        candidates = (
            (kinds == LineKind.SELL_THROUGH.value) & (places != "") & customers.is_not_null()
        )
        pairs = rows.filter(candidates).unique()
        outside = self.resolver.outside_area
        flags = pairs.with_columns(
            pl.Series(
                "cross",
                [outside(c, p) for c, p in pairs.iter_rows()],
                dtype=pl.Boolean,
            )
        )
        joined = rows.join(flags, on=["customer", "place"], how="left", maintain_order="left")
        return (joined["cross"].fill_null(False) & candidates.fill_null(False)).alias("cross")


def scaled_column(
    raw: pl.Series,
    convert: Callable[[Any], tuple[int, bool] | None],
    plain: str,
    places: int,
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """(Values in units of 10**-places, null where blank or bad; the reasons; whether each
    was rounded.) Cells written plainly (``plain``) convert in polars, the others once per
    distinct cell with ``convert``."""
    text = raw.str.strip_chars()
    is_plain = text.str.contains(plain)
    # A plain cell's decimal, held as an integer of its last place: exactly the units wanted.
    native = text.cast(pl.Decimal(18, places), strict=False).to_physical().cast(pl.Int64)
    if is_plain.all():
        none = _repeat(None, len(raw), pl.String)
        return native, none, _repeat(False, len(raw), pl.Boolean)
    inexact: set[str] = set()

    def scaled_cell(cell: str) -> int | None:
        converted = convert(cell)
        if converted is None:
            return None
        if converted[1]:
            inexact.add(cell)
        return converted[0]

    others = ~is_plain
    values, reasons = convert_distinct(raw.filter(others), scaled_cell, pl.Int64)
    rounded = raw.is_in(list(inexact)) & others if inexact else _repeat(False, len(raw), pl.Boolean)
    return _scatter(is_plain, native, values), _scatter(is_plain, None, reasons), rounded


def _scatter(where: pl.Series, native: pl.Series | None, others: pl.Series) -> pl.Series:
    """``native`` where ``where`` holds, else the next of ``others`` (converted from the rows
    where it did not hold, in order)."""
    filled = _repeat(None, len(where), others.dtype)
    positions = (~where).arg_true()
    filled = filled.scatter(positions, others)
    if native is None:
        return filled
    return native.cast(others.dtype).zip_with(where, filled)


assert set(TEXT_LIMITS) <= set(SALES_LINE_FIELDS)  # noqa: S101 - a typo here would drop a column
