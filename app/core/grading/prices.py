"""Versioned price and repair-cost tables per model and grade, read from TOML.

One table (``resources/grading/prices/*.toml``) holds, per model: the resale price by CTIA cosmetic
grade (wholesale) and by channel grade, the cost of each repair, the value of each part that can
be harvested, and the weight for recycling. Money is kept as :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.core.grading.loader import RulesetError, read_toml, schema_error
from app.core.grading.schema import Fields, SchemaProblem


def _money(fields: Fields, key: str) -> Decimal:
    # str() first: 0.1 as a float would become 0.1000000000000000055511151231257827
    return Decimal(str(fields.number(key, minimum=0))).quantize(Decimal("0.01"))


def _money_table(fields: Fields | None) -> tuple[tuple[str, Decimal], ...]:
    if fields is None:
        return ()
    values = tuple((key, _money(fields, key)) for key in fields.names())
    fields.done()
    return values


@dataclass(frozen=True)
class ModelPrices:
    """Prices for one model. ``repairs`` is keyed by functional test or cosmetic zone; ``parts`` likewise."""

    model: str
    weight_g: float
    wholesale: tuple[tuple[str, Decimal], ...]
    channels: tuple[tuple[str, tuple[tuple[str, Decimal], ...]], ...]
    repairs: tuple[tuple[str, Decimal], ...]
    parts: tuple[tuple[str, Decimal], ...]

    def channel_price(self, channel: str, grade: str) -> Decimal | None:
        return dict(dict(self.channels).get(channel, ())).get(grade)


@dataclass(frozen=True)
class PriceTable:
    id: str
    version: int
    currency: str
    effective: str
    digest: str
    source: str
    repair_labour: Decimal
    harvest_labour: Decimal
    recycle_per_kg: Decimal
    # Parts that hold user data: harvested only from a unit whose sanitisation passed.
    data_bearing_parts: tuple[str, ...]
    # Whether the parts used for repairs are genuine (keeps Premium and REC F6 within reach).
    repair_parts_genuine: bool
    models: tuple[ModelPrices, ...]

    def model(self, name: str) -> ModelPrices | None:
        return next((m for m in self.models if m.model.casefold() == name.casefold()), None)


def load_price_table(path: Path) -> PriceTable:
    """Read one price table; raise :class:`RulesetError` with file, line and reason when it is wrong."""
    data, text, digest = read_toml(path)
    try:
        return _read(Fields(data), digest, str(path))
    except SchemaProblem as problem:
        raise schema_error(path, text, problem) from None


def _read(top: Fields, digest: str, source: str) -> PriceTable:
    head = top.table("table")
    assert head is not None
    table_id = head.text("id")
    version = int(head.number("version", minimum=1, whole=True))
    currency = head.text("currency")
    if len(currency) != 3 or not currency.isupper():
        raise SchemaProblem(head.at("currency"), "expected an ISO 4217 code such as EUR")
    effective = head.raw("effective")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise SchemaProblem(head.at("effective"), "expected a date such as 2026-11-01")
    repair_labour, harvest_labour = _money(head, "repair_labour"), _money(head, "harvest_labour")
    recycle_per_kg = _money(head, "recycle_per_kg")
    data_bearing = head.text_list("data_bearing_parts", default=())
    repair_genuine = head.flag("repair_parts_genuine", False)
    head.done()
    models: list[ModelPrices] = []
    for entry in top.tables("model"):
        name = entry.text("model")
        if any(m.model.casefold() == name.casefold() for m in models):
            raise SchemaProblem(entry.at("model"), f"{name} is listed twice")
        channels_fields = entry.table("channel", required=False)
        channels: list[tuple[str, tuple[tuple[str, Decimal], ...]]] = []
        if channels_fields is not None:
            channels = [(key, _money_table(channels_fields.table(key))) for key in channels_fields.names()]
            channels_fields.done()
        models.append(ModelPrices(model=name, weight_g=entry.number("weight_g", minimum=1),
                                  wholesale=_money_table(entry.table("wholesale")), channels=tuple(channels),
                                  repairs=_money_table(entry.table("repair", required=False)),
                                  parts=_money_table(entry.table("parts", required=False))))
        entry.done()
    top.done()
    if not models:
        raise RulesetError(source, None, "lists no [[model]]")
    return PriceTable(id=table_id, version=version, currency=currency, effective=effective.isoformat(),
                      digest=digest, source=source, repair_labour=repair_labour, harvest_labour=harvest_labour,
                      recycle_per_kg=recycle_per_kg, data_bearing_parts=data_bearing,
                      repair_parts_genuine=repair_genuine, models=tuple(models))
