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
in one place (:class:`capdesk.ui.shell.Shell`; how a run is put together:
``app_options.py``). ``controller.py`` is the recording state machine (no widgets);
``start_flow.py`` takes Record to a running recording (the microphone question in
``mic_prompt.py``, the checks before the countdown in ``preflight.py``, the countdown
and the area's outline in ``countdown_overlay.py``); ``outcomes.py`` shows what a
recording became; ``upload_notes.py`` keeps the note above Record true. Windows: the
compact recorder ``main_window.py`` (its parts: ``source_picker.py``,
``audio_picker.py``, ``camera_picker.py``, ``device_row.py``; what it builds:
``choice.py``), the result card ``result_panel.py``, ``area_picker.py``,
``recording_bar.py``, ``settings_dialog.py``, ``welcome.py`` (both with ``key_form.py``),
``tray.py``, ``library_window.py`` (its models in ``library_model.py``; the logic,
without Qt, in ``capdesk.engine.library``); ``sizing.py`` makes every window fit its
screen. ``credits.py`` keeps the balance that the main window, the tray and the Library
show. The camera: ``camera.py`` (the list, a video file standing in, the preview's
place as the bubble's), ``camera_bubble.py`` (the round preview window) and
``camera_control.py`` (the one feed for the preview and the recordings).
OS services sit behind small interfaces that tests swap: ``services.py`` (clipboard,
browser, notifications, keychain), ``hotkeys/`` (global shortcuts),
``capture_exclusion.py`` (keeping the recording bar out of the recording),
``autostart.py`` (start at login), ``screen_permission.py`` (macOS) and
``single_instance.py``.
"""
