"""`python -m devtools.chat`."""

import sys

from devtools.chat.cli import main

sys.exit(main())
