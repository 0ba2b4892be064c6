"""The Library's item models, the row painter and small helpers its two tabs share
(Qt; the logic is in ``capdesk.engine.library``).

- :class:`JobQueue` runs blocking jobs one at a time, in order, through
  ``run_in_worker``: the Library never has more than one Cap request (or more than
  one file job) in flight, so it stays a small, steady user of the request budget.
- :class:`LocalModel` holds the local recordings; thumbnails are asked for when a
  row is painted, so only rows on screen make them.
- :class:`CapVideosModel` pages Cap's list as the view scrolls (``canFetchMore`` /
  ``fetchMore``) through :class:`capdesk.engine.library.VideoPager`.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath
from PySide6.QtWidgets import (
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from capdesk.cap.errors import CapError
from capdesk.cap.models import Video, VideoStatus
from capdesk.engine import LocalItem, VideoPager, library
from capdesk.errors import describe
from capdesk.ui import theme, wording
from capdesk.ui.signals import emit
from capdesk.ui.threads import Done, run_in_worker

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class JobQueue(QObject):
    """Blocking jobs, one at a time and in order, off the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: collections.deque[tuple[Callable[[], Any], Done, str]] = collections.deque()
        self._running: str | None = None
        self._closed = False

    def submit(self, fn: Callable[[], Any], done: Done, tag: str = "") -> None:
        if self._closed:
            return
        self._jobs.append((fn, done, tag))
        self._next()

    def close(self) -> None:
        """Forget every queued job and take no more (the running one still ends)."""
        self._closed = True
        self._jobs.clear()

    def count(self, tag: str) -> int:
        """Jobs with this tag, queued or running."""
        return sum(1 for job in self._jobs if job[2] == tag) + (self._running == tag)

    @property
    def idle(self) -> bool:
        return self._running is None and not self._jobs

    def drop(self, tag: str) -> None:
        """Forget queued (not running) jobs with this tag."""
        self._jobs = collections.deque(job for job in self._jobs if job[2] != tag)

    def _next(self) -> None:
        if self._running is not None or not self._jobs:
            return
        fn, done, tag = self._jobs.popleft()
        self._running = tag

        def finished(result: Any, error: BaseException | None) -> None:
            self._running = None
            if self._closed:
                return
            try:
                done(result, error)
            finally:
                self._next()

        run_in_worker(fn, finished)


# -- local recordings -------------------------------------------------------------------------
class LocalModel(QAbstractListModel):
    thumbnail_wanted = Signal(object)  # LocalItem: paint asked for a thumbnail not made yet

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[LocalItem] = []
        self.working: dict[str, str] = {}  # id -> what the app is doing to it ("Uploading…")
        self._thumbs: dict[str, QImage | None] = {}  # id -> image (None: none possible)
        self._thumb_keys: dict[str, tuple[int | None, str]] = {}
        self._asked: set[str] = set()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item = self.items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role == ID_ROLE:
            return item.id
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(item.file)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(item)
        return None

    def set_items(self, items: list[LocalItem]) -> None:
        """Take a fresh scan; rows keep their place when the list did not change shape."""
        if [i.id for i in items] == [i.id for i in self.items]:
            changed = [n for n, (old, new) in enumerate(zip(self.items, items, strict=True))
                       if old != new or old.size != new.size or old.busy != new.busy
                       or old.journal.to_json() != new.journal.to_json()]
            self.items = items
            for row in changed:
                self.dataChanged.emit(self.index(row), self.index(row))
        else:
            self.beginResetModel()
            self.items = items
            self.endResetModel()
        for item in items:  # a file that changed gets a new thumbnail
            key = (item.size, item.status)
            if self._thumb_keys.get(item.id, key) != key:
                self._thumbs.pop(item.id, None)
                self._asked.discard(item.id)

    def row_of(self, item_id: str) -> int | None:
        for row, item in enumerate(self.items):
            if item.id == item_id:
                return row
        return None

    def item(self, row: int) -> LocalItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def set_working(self, item_id: str, text: str | None) -> None:
        if text:
            self.working[item_id] = text
        else:
            self.working.pop(item_id, None)
        self._changed(item_id)

    def thumbnail(self, item: LocalItem) -> QImage | None:
        if item.id in self._thumbs:
            return self._thumbs[item.id]
        if item.id not in self._asked and item.exists:
            self._asked.add(item.id)
            emit(self.thumbnail_wanted, item)
        return None

    def set_thumbnail(self, item: LocalItem, image: QImage | None) -> None:
        self._thumbs[item.id] = image
        self._thumb_keys[item.id] = (item.size, item.status)
        self._changed(item.id)

    def _changed(self, item_id: str) -> None:
        row = self.row_of(item_id)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))


class LocalDelegate(QStyledItemDelegate):
    """Paints a recording: thumbnail, name, when/how long/how big, state and reason."""

    ROW_HEIGHT = 92
    THUMB = QSize(128, 72)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(max(320, option.rect.width()), self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, LocalItem):
            return
        model = index.model()
        working = model.working.get(item.id) if isinstance(model, LocalModel) else None
        c = theme.current()
        rect: QRect = option.rect  # type: ignore[attr-defined,unused-ignore]
        state = option.state  # type: ignore[attr-defined,unused-ignore]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = rect.adjusted(4, 3, -4, -3)
        if state & QStyle.StateFlag.State_Selected:
            fill = QColor(c.accent)
            fill.setAlpha(38)
            painter.setPen(QColor(c.accent))
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 8, 8)
        elif state & QStyle.StateFlag.State_MouseOver:
            fill = QColor(c.border)
            fill.setAlpha(90)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 8, 8)

        thumb_rect = QRect(card.left() + 8, card.top() + (card.height() - self.THUMB.height())
                           // 2, self.THUMB.width(), self.THUMB.height())
        self._paint_thumb(painter, thumb_rect, index.data(Qt.ItemDataRole.DecorationRole), item, c)

        left = thumb_rect.right() + 16
        right = card.right() - 12
        base_font = QFont(option.font)  # type: ignore[attr-defined,unused-ignore]
        label = working or item.label
        tone = "busy" if working else item.tone
        badge = self._paint_badge(painter, base_font, label, tone, right, card.top() + 12, c)

        name_font = QFont(base_font)
        name_font.setBold(True)
        name_font.setPointSizeF(base_font.pointSizeF() + 1)
        painter.setFont(name_font)
        painter.setPen(QColor(c.text))
        name_metrics = QFontMetrics(name_font)
        name_width = badge.left() - 12 - left
        top = card.top() + 10
        painter.drawText(QRect(left, top, name_width, name_metrics.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         name_metrics.elidedText(item.name, Qt.TextElideMode.ElideRight,
                                                 name_width))
        painter.setFont(base_font)
        metrics = QFontMetrics(base_font)
        line = top + name_metrics.height() + 4
        painter.setPen(QColor(c.muted))
        painter.drawText(QRect(left, line, right - left, metrics.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         metrics.elidedText(facts(item), Qt.TextElideMode.ElideRight,
                                            right - left))
        line += metrics.height() + 3
        detail, detail_tone = third_line(item)
        if detail:
            colour = {"error": c.error, "warn": warn_colour(c)}.get(detail_tone, c.muted)
            painter.setPen(QColor(colour))
            painter.drawText(QRect(left, line, right - left, metrics.height()),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             metrics.elidedText(detail, Qt.TextElideMode.ElideRight,
                                                right - left))
        painter.restore()

    @staticmethod
    def _paint_thumb(painter: QPainter, rect: QRect, image: Any, item: LocalItem,
                     c: theme.Colours) -> None:
        path = QPainterPath()
        path.addRoundedRect(rect.toRectF(), 6, 6)
        painter.save()
        painter.setClipPath(path)
        painter.fillRect(rect, QColor("#0F1115") if isinstance(image, QImage) else
                         QColor(c.border))
        if isinstance(image, QImage) and not image.isNull():
            scaled = image.scaled(rect.size() * 2, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(2.0)
            size = scaled.size() / 2
            target = QRect(rect.left() + (rect.width() - size.width()) // 2,
                           rect.top() + (rect.height() - size.height()) // 2,
                           size.width(), size.height())
            painter.drawImage(target, scaled)
        else:
            painter.setPen(QColor(c.muted))
            text = ("File deleted" if not item.exists else
                    "Recording…" if item.status == library.Status.RECORDING else "")
            if text:
                painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
            else:  # a play triangle while the thumbnail is being made
                painter.setBrush(QColor(c.muted))
                painter.setPen(Qt.PenStyle.NoPen)
                cx, cy = rect.center().x(), rect.center().y()
                path = QPainterPath()
                path.moveTo(cx - 7, cy - 9)
                path.lineTo(cx + 10, cy)
                path.lineTo(cx - 7, cy + 9)
                path.closeSubpath()
                painter.drawPath(path)
        painter.restore()

    @staticmethod
    def _paint_badge(painter: QPainter, font: QFont, text: str, tone: str, right: int,
                     top: int, c: theme.Colours) -> QRect:
        badge_font = QFont(font)
        badge_font.setBold(True)
        badge_font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        metrics = QFontMetrics(badge_font)
        width = metrics.horizontalAdvance(text) + 20
        height = metrics.height() + 6
        rect = QRect(right - width, top, width, height)
        fg = QColor(tone_colour(tone, c))
        bg = QColor(fg)
        bg.setAlpha(36 if theme.current() is theme.LIGHT else 56)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(fg)
        painter.setFont(badge_font)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.setFont(font)
        return rect


def warn_colour(c: theme.Colours) -> str:
    return "#B45309" if c is theme.LIGHT else "#F5B94A"


def tone_colour(tone: str, c: theme.Colours) -> str:
    return {"ok": c.ok, "busy": c.accent, "warn": warn_colour(c), "error": c.error}.get(
        tone, c.muted)


def facts(item: LocalItem) -> str:
    """``12 Jul 2025, 14:03 · 0:42 · 12.3 MB`` (local time)."""
    when = item.created.astimezone()
    bits = [f"{when.day} {when:%b %Y, %H:%M}"]
    if item.duration:
        bits.append(wording.clock(item.duration))
    if item.size is not None:
        bits.append(wording.size(item.size))
    else:
        bits.append("file deleted")
    return " · ".join(bits)


def third_line(item: LocalItem) -> tuple[str, str]:
    """(text, tone) under the facts: the reason it did not upload, or the link."""
    reason = wording.for_people(item.reason)
    if reason:
        return reason, item.tone
    journal = item.journal
    if item.status == library.Status.UPLOADING and journal.final_size:
        sent = journal.confirmed_bytes()
        return (f"{wording.size(sent)} of {wording.size(journal.final_size)} uploaded",
                "plain")
    if item.share_url and item.status == library.Status.UPLOADED:
        return item.share_url, "plain"
    return "", "plain"


# -- Cap videos ----------------------------------------------------------------------------------
COLUMNS = ("Name", "User", "Length", "Created", "Status", "Transcript")


class CapVideosModel(QAbstractTableModel):
    """Cap's videos, loaded a page at a time as the view scrolls."""

    loading_changed = Signal(bool)
    failed = Signal(str)
    page_loaded = Signal(int)  # how many new videos arrived

    def __init__(self, fetch_page: Callable[[str | None, int, int], list[Video]],
                 queue: JobQueue, page_size: int = 50, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch_page = fetch_page
        self._queue = queue
        self.page_size = page_size
        self.pager = VideoPager(page_size=page_size)
        self.loading = False
        self.error = ""
        self.enabled = False  # nothing is fetched until the tab is shown with a secret key
        self._generation = 0

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pager.videos)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.pager.videos):
            return None
        video = self.pager.videos[index.row()]
        column = index.column()
        if role == ITEM_ROLE:
            return video
        if role == ID_ROLE:
            return video.id
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(video, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{video.name or 'Untitled'}\n{video.id}"
        if role == Qt.ItemDataRole.ForegroundRole and column in (1, 2, 3, 5):
            return QBrush(QColor(theme.current().muted))
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            c = theme.current()
            return QBrush(QColor(c.ok if video.ready else warn_colour(c)))
        return None

    def canFetchMore(self, parent: Index) -> bool:
        return (not parent.isValid() and self.enabled and not self.loading
                and not self.pager.at_end and not self.error)

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self.load_next()

    # -- loading ----------------------------------------------------------------------------
    @property
    def user_id(self) -> str | None:
        return self.pager.user_id

    def reset(self, user_id: str | None = None) -> None:
        """Start over (a new filter, Refresh, new keys); the first page follows."""
        self._generation += 1
        self._queue.drop("page")
        self.beginResetModel()
        self.pager = VideoPager(user_id=(user_id or None), page_size=self.page_size)
        self.error = ""
        self.endResetModel()
        self._set_loading(False)
        if self.enabled:
            self.load_next()

    def load_next(self) -> None:
        if self.loading or self.pager.at_end:
            return
        generation = self._generation
        user_id, offset, limit = self.pager.user_id, self.pager.offset, self.page_size
        fetch = self._fetch_page
        self._set_loading(True)
        self.error = ""

        def done(page: list[Video] | None, error: BaseException | None) -> None:
            if generation != self._generation:
                return  # the filter changed meanwhile
            self._set_loading(False)
            if error is not None or page is None:
                self.error = _describe(error)
                emit(self.failed, self.error)
                return
            fresh = self.pager.accept(offset, page)
            if fresh:
                first = len(self.pager.videos)
                self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
                self.pager.videos.extend(fresh)
                self.endInsertRows()
            emit(self.page_loaded, len(fresh))

        self._queue.submit(lambda: fetch(user_id, offset, limit), done, "page")

    def _set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            emit(self.loading_changed, loading)

    # -- changes -----------------------------------------------------------------------------
    def video(self, row: int) -> Video | None:
        videos = self.pager.videos
        return videos[row] if 0 <= row < len(videos) else None

    def remove(self, video_id: str) -> None:
        row = self.pager.index_of(video_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        self.pager.removed(video_id)
        self.endRemoveRows()

    def update_status(self, status: VideoStatus) -> None:
        row = self.pager.index_of(status.id)
        if row is None:
            return
        self.pager.update_video(library.with_status(self.pager.videos[row], status))
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))


def cell_text(video: Video, column: int) -> str:
    if column == 0:
        return video.name or "Untitled"
    if column == 1:
        return video.external_user_id or "—"
    if column == 2:
        return wording.clock(video.duration) if video.duration is not None else "—"
    if column == 3:
        return _when(video.created_at)
    if column == 4:
        return "Ready" if video.ready else "Processing"
    if column == 5:
        return wording.TRANSCRIPTION.get(video.transcription_status, "") or "—"
    return ""


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def _describe(error: BaseException | None) -> str:
    if isinstance(error, CapError):
        return error.describe()
    return str(error) if error is not None else "no answer"


# -- helpers for the two tabs --------------------------------------------------------------------
def plain_error(error: BaseException | None) -> str:
    """An error in one line: what happened and Cap's words, without the long hint."""
    return wording.for_people(describe(error, short=True)) if error else ""


def make_button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


def emphasise(button: QPushButton, on: bool) -> None:
    """The accent look for the one action that matters most now (never a disabled one)."""
    role = "accent" if on and button.isEnabled() else None
    if button.property("role") != role:
        button.setProperty("role", role)
        button.style().unpolish(button)
        button.style().polish(button)


def menu_of(parent: QWidget, buttons: list[QPushButton | None]) -> QMenu:
    """A context menu that mirrors a row of action buttons (None: a separator)."""
    menu = QMenu(parent)
    for button in buttons:
        if button is None:
            menu.addSeparator()
            continue
        action = menu.addAction(button.text())
        action.setEnabled(button.isEnabled())
        action.triggered.connect(button.click)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return menu
