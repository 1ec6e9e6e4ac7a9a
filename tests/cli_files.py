"""The vendor profile the CLI tests validate their small files with."""

PROFILE = """version: 1
name: acme
vendor: ACME
signature:
  columns: [Ref, Guest, Arrive, Leave, Pax, Total, Cur, State]
fields:
  booking_ref: {column: Ref}
  customer_name: {column: Guest}
  check_in: {column: Arrive}
  check_out: {column: Leave}
  adults: {column: Pax}
  amount: {column: Total}
  currency: {column: Cur}
  status: {column: State, map: {CNF: confirmed, CXL: cancelled}}
"""
