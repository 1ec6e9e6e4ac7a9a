"""Booking Desktop: turn vendor booking exports into clean bookings in MongoDB.

The core (everything outside ``booking_desktop.gui``) is Qt-free and usable
from the command line; the GUI is a thin adapter over it.
"""

__version__ = "0.1.0"
