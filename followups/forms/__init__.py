"""The forms of the follow-up's screens. They only parse what was typed; the services decide."""
