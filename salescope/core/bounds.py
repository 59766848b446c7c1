"""Bounded numbers for API parameters and bodies: out-of-range input is a 422 at its field.

Python ints are unbounded but the databases' are 64-bit, and some reports loop over a year
or a number of days; an unbounded parameter lets one request overflow or run for hours. Each
numeric parameter of the API takes one of these types, so the OpenAPI schema states its range.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9
MAX_QUANTITY = 10**9
# Yuan; 10¹² yuan in fen still fits 64 bits with room for sums of many such amounts.
MAX_AMOUNT = Decimal(10**12)

Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Year = Annotated[int, Field(ge=1900, le=2200)]
# A window of days back from a date (DSO) or ahead (availability): at most ten years.
Days = Annotated[int, Field(ge=1, le=3660)]
Quantity = Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
Amount = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Version = Annotated[int, Field(ge=0, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
