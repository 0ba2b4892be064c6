"""What a finished (or stopped) upload means for people and for scripts."""

from __future__ import annotations

from capdesk import exitcodes
from capdesk.engine.journal import Journal, State

EXIT_CODES = {
    State.COMPLETE: exitcodes.OK,
    State.LOCAL_ONLY: exitcodes.OK,
    State.NEEDS_CREDITS: exitcodes.NO_CREDITS,
    State.KEY_REFUSED: exitcodes.KEY_REFUSED,
    State.ORIGIN_REFUSED: exitcodes.ORIGIN_REFUSED,
    State.WAITING_NETWORK: exitcodes.NETWORK,
}


def exit_code(journal: Journal) -> int:
    return EXIT_CODES.get(journal.state, exitcodes.FAILURE)


def summary(journal: Journal) -> str:
    """One or two sentences for a person."""
    text = _summary(journal)
    if journal.extra_videos_removed:
        count = journal.extra_videos_removed
        text += (f" {count} empty video{'s' if count > 1 else ''} that a retried create "
                 f"left on Cap {'were' if count > 1 else 'was'} deleted.")
    return text


def _summary(journal: Journal) -> str:
    where = journal.spool_path
    if journal.state == State.COMPLETE:
        return f"Uploaded: {journal.share_url}" + (
            f" {charged_twice_note(journal)}" if journal.maybe_charged_twice else "")
    if journal.state == State.LOCAL_ONLY:
        return f"Saved to {where}"
    if journal.state == State.NEEDS_CREDITS:
        need = (f" It needs {journal.needed_micro_credits:,} micro-credits."
                if journal.needed_micro_credits else "")
        return (f"Not uploaded: not enough Cap credits.{need} The recording is kept at "
                f"{where}; add credits, then run `capdesk resume`.")
    reason = journal.error or "the upload did not finish"
    return f"Not uploaded: {reason}. The recording is kept at {where}; run `capdesk resume` to " \
           "try again."


def charged_twice_note(journal: Journal) -> str:
    """Said wherever the result shows when a retried ``complete`` may have billed twice."""
    return (f"Cap's server failed while completing the upload and a second complete was "
            f"needed: Cap may have charged twice for video {journal.video_id}.")
