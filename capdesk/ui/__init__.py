"""The desktop app (PySide6). Qt lives here and nowhere else in capdesk.

Threading rule
--------------
Every blocking call (``Recorder.start``/``stop``/``discard``, every network
call, resuming old uploads, testing keys) runs in a worker thread: the Qt
global thread pool, through :func:`capdesk.ui.threads.run_in_worker`. Its
result (or exception) comes back to the GUI thread ONLY through a Qt signal of
a QObject that lives on the GUI thread, over a queued connection. Callbacks
that the engine calls from its own threads (``on_state``, ``on_progress``)
do nothing but emit a signal of such a QObject (:class:`capdesk.ui.threads.Relay`).
No widget, and no QObject owned by the GUI thread, is ever touched from
another thread. There is no other way across threads in this package.

Layout
------
``app.py`` (``run_app``) builds the pieces and wires every signal between them
in one place (:class:`capdesk.ui.shell.Shell`). ``controller.py`` is the
recording state machine (no widgets). Windows: ``main_window.py``,
``area_picker.py``, ``recording_bar.py``, ``result_panel.py``,
``settings_dialog.py``, ``welcome.py``, ``tray.py``, ``library_window.py`` (its
models in ``library_model.py``; the logic, without Qt, in ``capdesk.engine.library``);
``credits.py`` keeps the balance that the main window, the tray and the Library
show. The camera: ``camera.py`` (the list, a video file standing in, the preview's
place as the bubble's), ``camera_bubble.py`` (the round preview window) and
``camera_control.py`` (the one feed for the preview and the recordings).
OS services sit behind small interfaces that tests swap: ``services.py`` (clipboard,
browser, notifications, keychain), ``hotkeys/`` (global shortcuts),
``capture_exclusion.py`` (keeping the recording bar out of the recording),
``autostart.py`` (start at login) and ``single_instance.py``.
"""
