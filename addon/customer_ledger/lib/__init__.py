"""Pure functions over plain values: no ORM, no database, testable on their own."""
