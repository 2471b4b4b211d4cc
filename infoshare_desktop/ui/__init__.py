"""The Qt Widgets user interface: the only package that imports PySide6.

Modules needed before sign-in (application, theme, feedback, the unlock and first-run
dialogs) import no part of the storage stack at import time, so the first window appears
quickly; the services are imported when the user presses Unlock or Create.
"""
