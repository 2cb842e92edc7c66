"""What the sample files must turn into: the rows kept, and each quarantined row's reason."""

from collections import Counter

ORDERS_KEPT = {1001: ("2024", "03", "01"), 1002: ("2024", "03", "01"), 1003: ("2024", "03", "02"),
               1004: ("2024", "03", "02"), 1005: ("2024", "03", "03"), 1016: ("2024", "03", "03")}

ORDERS_REASONS = Counter([
    "expected 9 fields, found 8",
    "expected 9 fields, found 10",
    "column 'unit_price': '8.125' is not a valid decimal(10,2)",
    "column 'quantity': 'two' is not a valid int",
    "column 'is_gift': 'maybe' is not a valid boolean",
    "column 'order_date': '2024-02-30' is not a valid date",
    "column 'order_id': required value is empty",
    "column 'order_ts': 'yesterday' is not a valid timestamp",
    "column 'weight_kg': 'inf' is not a valid double",
    "column 'quantity': '99999999999' is not a valid int",
])

EVENTS_KEPT = ["e-1", "e-2", "e-3", "e-11"]

EVENTS_REASONS = Counter([
    "column 'reading': 'hot' is not a valid double",
    "fields not in the structure: firmware",
    "column 'device': a JSON object is not a single value",
    "not a JSON object",
    "column 'event_id': required value is empty",
    "column 'count': '2147483648' is not a valid int",
])
EVENTS_INVALID_JSON = 1  # the truncated line; its reason quotes the parser's message

ORDERS_COLUMNS = [("order_id", "int64"), ("customer", "string"), ("quantity", "int32"),
                  ("unit_price", "decimal128(10, 2)"), ("discount", "float"),
                  ("weight_kg", "double"), ("is_gift", "bool"), ("order_date", "date32[day]"),
                  ("order_ts", "timestamp[us, tz=UTC]")]
