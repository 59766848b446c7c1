"""Header text as the import framework compares it."""

import re
import unicodedata


def normalize_header(text: str) -> str:
    """Width, case, spaces and brackets folded: "订单 ID" and "订单ID", "Order_Id" and "orderid"
    compare equal."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"[\s_\-（）()\[\]【】:：/]+", "", text)
