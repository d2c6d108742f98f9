"""The case officer's workplace. One module per screen; urls.py names them."""
