"""The IMAP poller: reads the mailbox of INBOUND_EMAIL_URL (imaps://user:pass@host/INBOX).

Each new message (by UID, under the folder's UIDVALIDITY) is fetched without marking it, stored,
and only then flagged \\Seen and moved to INBOUND_EMAIL_DONE_FOLDER; nothing is ever deleted. A
message that could not be stored stays where it was and is fetched again on the next poll; one
stored twice (a crash before the move) is a duplicate by its Message-ID.
"""

import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils import timezone
from imapclient import IMAPClient

from inbound import services
from inbound.models import MailboxState, Outcome

logger = logging.getLogger(__name__)

# Messages fetched per poll: a large backlog is worked through over several polls.
BATCH = 50


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    username: str
    password: str
    folder: str
    use_ssl: bool

    @property
    def key(self) -> str:
        """Names the folder without the password (MailboxState.mailbox)."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


def mailbox_from_url(url: str) -> Mailbox:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError("INBOUND_EMAIL_URL must start with imap:// or imaps://")
    use_ssl = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname or "localhost",
        port=parts.port or (993 if use_ssl else 143),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        use_ssl=use_ssl,
    )


def poll_configured_mailbox() -> int:
    if not settings.INBOUND_EMAIL_URL:
        return 0
    return poll(mailbox_from_url(settings.INBOUND_EMAIL_URL))


def poll(mailbox: Mailbox, *, done_folder: str | None = None) -> int:
    """Store and act on the folder's new messages; returns how many were stored."""
    done_folder = done_folder or settings.INBOUND_EMAIL_DONE_FOLDER
    context = ssl.create_default_context() if mailbox.use_ssl else None
    stored = 0
    with IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.use_ssl, ssl_context=context, timeout=30
    ) as client:
        client.login(mailbox.username, mailbox.password)
        if not client.folder_exists(done_folder):
            client.create_folder(done_folder)
        can_move = client.has_capability("MOVE")
        selected = client.select_folder(mailbox.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        state, _ = MailboxState.objects.get_or_create(mailbox=mailbox.key)
        if state.uidvalidity != uidvalidity:
            # UIDs of another UIDVALIDITY mean nothing here: start the folder over.
            state.uidvalidity, state.last_uid = uidvalidity, 0
        uids = sorted(uid for uid in client.search(["UID", f"{state.last_uid + 1}:*"]))
        uids = [uid for uid in uids if uid > state.last_uid][:BATCH]
        for uid in uids:
            raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
            if raw is None:
                continue
            message = services.store(bytes(raw), via="imap")
            stored += 1
            state.last_uid = uid
            state.save(update_fields=["uidvalidity", "last_uid"])
            # Marked and moved only now that it is stored. A server without MOVE gets a copy in
            # the done folder and keeps the original (seen): the UID watermark skips it.
            client.add_flags([uid], [b"\\Seen"])
            if can_move:
                client.move([uid], done_folder)
            else:
                client.copy([uid], done_folder)
            if message.outcome == Outcome.PENDING:
                try:
                    services.act(message.pk)
                except Exception:
                    logger.exception(
                        "Acting on inbound message %s failed; retried later", message.pk
                    )
        state.polled_at = timezone.now()
        state.save(update_fields=["uidvalidity", "last_uid", "polled_at"])
    services.act_on_stored()
    return stored
