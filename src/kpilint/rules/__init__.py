"""One module per rule. Each defines a FileRule or ProjectRule subclass; the registry finds it."""
