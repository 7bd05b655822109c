"""HTTP sessions, insights and their task stores.

Mirrors Tomcat + SEMOSS: a session expires after its max inactive interval;
destroying it drops every insight in its "session hash" (and so closes the
insights' tasks and cursors).  Insights live in one global store, looked up
by id from any session, as in SEMOSS's InsightStore.
"""

import secrets
import threading
import time
import uuid

from .tasks import Task


class Insight:
    """An insight: a recipe, a task store and a lock serializing its pixels."""

    def __init__(self, insight_id, temporary):
        """Create an empty insight."""
        self.id = insight_id
        self.temporary = temporary
        self.lock = threading.RLock()
        self.recipe = []
        self._tasks = {}
        self._task_counter = 0
        self._tasks_lock = threading.Lock()

    def new_task(self, engine, sql, stats):
        """Create and store a task with the next id "task<n>" (n starts at 1)."""
        with self._tasks_lock:
            self._task_counter += 1
            task = Task("task%d" % self._task_counter, engine, sql, stats)
            self._tasks[task.id] = task
            return task

    def get_task(self, task_id):
        """Return the stored task with this id, or None."""
        with self._tasks_lock:
            return self._tasks.get(task_id)

    def remove_task(self, task_id):
        """Remove a task from the store and close it; return it or None."""
        with self._tasks_lock:
            task = self._tasks.pop(task_id, None)
        if task is not None:
            task.close()
        return task

    def close_all_tasks(self):
        """Close and forget every task."""
        with self._tasks_lock:
            tasks = list(self._tasks.values())
            self._tasks.clear()
        for task in tasks:
            task.close()

    def task_counts(self):
        """Return (stored tasks, tasks with an open cursor)."""
        with self._tasks_lock:
            tasks = list(self._tasks.values())
        return len(tasks), sum(1 for task in tasks if task.is_open)


class InsightStore:
    """The global insight store (temporary insights are never stored)."""

    def __init__(self):
        """Start empty."""
        self._lock = threading.Lock()
        self._insights = {}

    def create(self, temporary):
        """Create an insight; stored ones get a UUID id, temporary ones TempInsight_<uuid>."""
        if temporary:
            return Insight("TempInsight_" + str(uuid.uuid4()), True)
        insight = Insight(str(uuid.uuid4()), False)
        with self._lock:
            self._insights[insight.id] = insight
        return insight

    def get(self, insight_id):
        """Return the stored insight with this id, or None."""
        with self._lock:
            return self._insights.get(insight_id)

    def drop(self, insight_id):
        """Remove an insight and close its tasks (waits for a pixel running on it)."""
        with self._lock:
            insight = self._insights.pop(insight_id, None)
        if insight is not None:
            with insight.lock:
                insight.close_all_tasks()

    def drop_all(self):
        """Drop every stored insight."""
        with self._lock:
            ids = list(self._insights)
        for insight_id in ids:
            self.drop(insight_id)

    def counts(self):
        """Return (insights, stored tasks, open tasks) over all stored insights."""
        with self._lock:
            insights = list(self._insights.values())
        stored = opened = 0
        for insight in insights:
            total, open_count = insight.task_counts()
            stored += total
            opened += open_count
        return len(insights), stored, opened


class Login:
    """A logged-in identity: the configured user and the provider used to log in."""

    def __init__(self, user, provider):
        """Keep the user config and the AuthProvider name (upper case)."""
        self.user = user
        self.provider = provider


class Session:
    """One HTTP session (what Tomcat keeps per JSESSIONID/monolith cookie)."""

    def __init__(self, session_id, now):
        """Create a new session without a user."""
        self.id = session_id
        self.created = now
        self.last_access = now
        self.login = None
        self.csrf_nonce = None
        self.endpoint_redirect = None
        self.insight_ids = set()


class SessionManager:
    """Creates, finds, expires and destroys sessions."""

    def __init__(self, timeout_seconds, insight_store):
        """Sessions idle longer than timeout_seconds are destroyed."""
        self.timeout_seconds = timeout_seconds
        self.insight_store = insight_store
        self._lock = threading.Lock()
        self._sessions = {}

    def create(self):
        """Create and register a new session with a Tomcat-style 32-hex-digit id."""
        session = Session(secrets.token_hex(16).upper(), time.monotonic())
        with self._lock:
            self._sessions[session.id] = session
        return session

    def find(self, session_id):
        """Return the live session with this id and mark it accessed; expired -> None."""
        now = time.monotonic()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_access > self.timeout_seconds:
                del self._sessions[session_id]
                expired = session
                session = None
            else:
                session.last_access = now
                expired = None
        if expired is not None:
            self._drop_insights(expired)
        return session

    def touch(self, session):
        """Record activity on a session at the end of a request."""
        session.last_access = time.monotonic()

    def destroy(self, session):
        """Invalidate a session and drop its insights."""
        with self._lock:
            removed = self._sessions.pop(session.id, None)
        if removed is not None:
            self._drop_insights(removed)

    def destroy_all(self):
        """Invalidate every session (the debug surface's "expire now")."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for session in sessions:
            self._drop_insights(session)
        return len(sessions)

    def sweep(self):
        """Destroy every session idle longer than the timeout (Tomcat's background check)."""
        now = time.monotonic()
        with self._lock:
            expired = [s for s in self._sessions.values()
                       if now - s.last_access > self.timeout_seconds]
            for session in expired:
                del self._sessions[session.id]
        for session in expired:
            self._drop_insights(session)

    def count(self):
        """Number of live sessions."""
        with self._lock:
            return len(self._sessions)

    def _drop_insights(self, session):
        """Drop the insights recorded in a destroyed session's hash."""
        for insight_id in list(session.insight_ids):
            self.insight_store.drop(insight_id)
