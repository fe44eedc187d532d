"""The ground floor: errors, configuration, value types, logging, the runtime's
shape. Everything in sohoa may import it; it imports nothing of sohoa."""
