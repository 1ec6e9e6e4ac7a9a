import sys

from booking_desktop.cli import main

sys.exit(main())
