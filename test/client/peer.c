/*-------------------------------------------------------------------------
 *
 * peer.c
 *		  A tiny in-process HTTP/1.1 server for transport tests.
 *
 * IDENTIFICATION
 *		  test/client/peer.c
 *
 *-------------------------------------------------------------------------
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

#define PEER_MAX_CONNS 64

typedef struct PeerConn
{
	int			fd;
	int			id;
	bool		hanging;
	char	   *in;
	size_t		inlen;
	size_t		incap;
} PeerConn;

struct Peer
{
	int			listen_fd;
	int			wake[2];
	int			port;
	pthread_t	thread;
	pthread_mutex_t lock;
	PeerHandler handler;
	void	   *arg;
	PeerRequest *log[PEER_MAX_REQUESTS];
	int			nlog;
	PeerConn	conns[PEER_MAX_CONNS];
	int			nconns;
	int			next_conn_id;
};

/* Free one logged request. */
static void
free_request(PeerRequest *r)
{
	if (r == NULL)
		return;
	free(r->target);
	free(r->headers);
	free(r->body);
	free(r);
}

/* Close connection i (optionally with RST) and remove it from the set. */
static void
drop_conn(Peer *p, int i, bool reset)
{
	if (reset)
	{
		struct linger lg = {1, 0};

		setsockopt(p->conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(p->conns[i].fd);
	free(p->conns[i].in);
	p->conns[i] = p->conns[p->nconns - 1];
	p->nconns--;
}

/* Write all bytes (blocking socket). */
static bool
write_all(int fd, const char *data, size_t len)
{
	while (len > 0)
	{
		ssize_t		n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return false;
		}
		data += n;
		len -= (size_t) n;
	}
	return true;
}

/*
 * If conn's buffer holds a complete request, log it, run the handler and
 * act.  Returns false if the connection was closed.
 */
static bool
serve_one(Peer *p, int ci, bool *progress)
{
	PeerConn   *c = &p->conns[ci];
	char	   *end;
	size_t		hdrlen;
	size_t		clen = 0;
	char	   *cl;
	PeerRequest *r;
	PeerResponse resp;
	int			index;
	char	   *sp1;
	char	   *sp2;

	*progress = false;
	if (c->hanging || c->inlen == 0)
		return true;
	c->in[c->inlen] = '\0';
	end = strstr(c->in, "\r\n\r\n");
	if (end == NULL)
		return true;
	hdrlen = (size_t) (end - c->in) + 4;
	for (cl = c->in; cl < end; cl++)
	{
		if ((cl == c->in || cl[-1] == '\n') &&
			strncasecmp(cl, "Content-Length:", 15) == 0)
			clen = strtoul(cl + 15, NULL, 10);
	}
	if (c->inlen < hdrlen + clen)
		return true;

	r = calloc(1, sizeof(PeerRequest));
	r->conn_id = c->id;
	sp1 = strchr(c->in, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (sp1 && sp2)
	{
		size_t		ml = (size_t) (sp1 - c->in);

		if (ml >= sizeof(r->method))
			ml = sizeof(r->method) - 1;
		memcpy(r->method, c->in, ml);
		r->target = strndup(sp1 + 1, (size_t) (sp2 - sp1 - 1));
	}
	else
		r->target = strdup("");
	r->headers = strndup(c->in, hdrlen);
	r->body = malloc(clen + 1);
	memcpy(r->body, c->in + hdrlen, clen);
	r->body[clen] = '\0';
	r->body_len = clen;
	memmove(c->in, c->in + hdrlen + clen, c->inlen - hdrlen - clen);
	c->inlen -= hdrlen + clen;

	memset(&resp, 0, sizeof(resp));
	pthread_mutex_lock(&p->lock);
	index = p->nlog;
	if (p->nlog < PEER_MAX_REQUESTS)
		p->log[p->nlog++] = r;
	if (p->handler)
		p->handler(r, index, &resp, p->arg);
	else
		peer_respond(&resp, 404, NULL, "text/plain", "no handler");
	pthread_mutex_unlock(&p->lock);
	if (index >= PEER_MAX_REQUESTS)
		free_request(r);

	*progress = true;
	switch (resp.action)
	{
		case PEER_RESPOND:
		case PEER_RESPOND_CLOSE:
			if (!write_all(c->fd, resp.raw, resp.raw_len) ||
				resp.action == PEER_RESPOND_CLOSE)
			{
				free(resp.raw);
				drop_conn(p, ci, false);
				return false;
			}
			break;
		case PEER_HANG:
			c->hanging = true;
			break;
		case PEER_RESET:
			free(resp.raw);
			drop_conn(p, ci, true);
			return false;
		case PEER_CLOSE:
			free(resp.raw);
			drop_conn(p, ci, false);
			return false;
	}
	free(resp.raw);
	return true;
}

/* The server thread: poll the wake pipe, the listener and connections. */
static void *
peer_main(void *arg)
{
	Peer	   *p = (Peer *) arg;

	for (;;)
	{
		struct pollfd fds[PEER_MAX_CONNS + 2];
		int			n = 0;
		int			i;

		fds[n].fd = p->wake[0];
		fds[n++].events = POLLIN;
		fds[n].fd = p->listen_fd;
		fds[n++].events = POLLIN;
		for (i = 0; i < p->nconns; i++)
		{
			fds[n].fd = p->conns[i].fd;
			fds[n++].events = POLLIN;
		}
		if (poll(fds, (nfds_t) n, -1) < 0)
		{
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[0].revents)
			break;
		if ((fds[1].revents & POLLIN) && p->nconns < PEER_MAX_CONNS)
		{
			int			fd = accept(p->listen_fd, NULL, NULL);

			if (fd >= 0)
			{
				int			one = 1;
				PeerConn   *c = &p->conns[p->nconns++];

				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				memset(c, 0, sizeof(*c));
				c->fd = fd;
				pthread_mutex_lock(&p->lock);
				c->id = ++p->next_conn_id;
				pthread_mutex_unlock(&p->lock);
			}
		}
		/* connections: iterate backwards since drop_conn swaps in the last */
		for (i = n - 1; i >= 2; i--)
		{
			int			ci = i - 2;
			PeerConn   *c;
			ssize_t		got;
			bool		progress;

			if (!fds[i].revents)
				continue;
			if (ci >= p->nconns || p->conns[ci].fd != fds[i].fd)
				continue;
			c = &p->conns[ci];
			if (c->incap - c->inlen < 65537)
			{
				c->incap = c->incap ? c->incap * 2 + 65537 : 131072;
				c->in = realloc(c->in, c->incap);
			}
			got = recv(c->fd, c->in + c->inlen, c->incap - c->inlen - 1, 0);
			if (got <= 0)
			{
				drop_conn(p, ci, false);
				continue;
			}
			c->inlen += (size_t) got;
			while (serve_one(p, ci, &progress) && progress)
				;
		}
	}
	while (p->nconns > 0)
		drop_conn(p, p->nconns - 1, false);
	return NULL;
}

/* Start a peer on 127.0.0.1 with a kernel-chosen port. */
Peer *
peer_start(void)
{
	Peer	   *p = calloc(1, sizeof(Peer));
	struct sockaddr_in addr;
	socklen_t	alen = sizeof(addr);
	int			one = 1;

	p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0;
	if (bind(p->listen_fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 ||
		listen(p->listen_fd, 16) != 0 ||
		getsockname(p->listen_fd, (struct sockaddr *) &addr, &alen) != 0 ||
		pipe(p->wake) != 0)
	{
		close(p->listen_fd);
		free(p);
		return NULL;
	}
	p->port = ntohs(addr.sin_port);
	pthread_mutex_init(&p->lock, NULL);
	pthread_create(&p->thread, NULL, peer_main, p);
	return p;
}

/* Stop the thread, close every socket, free the log. */
void
peer_stop(Peer *p)
{
	int			i;

	if (p == NULL)
		return;
	if (write(p->wake[1], "x", 1) != 1)
		return;
	pthread_join(p->thread, NULL);
	close(p->wake[0]);
	close(p->wake[1]);
	close(p->listen_fd);
	for (i = 0; i < p->nlog; i++)
		free_request(p->log[i]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
peer_port(Peer *p)
{
	return p->port;
}

/* "http://127.0.0.1:<port><path>" (malloc'd). */
char *
peer_url(Peer *p, const char *path)
{
	char	   *u = malloc(strlen(path) + 64);

	sprintf(u, "http://127.0.0.1:%d%s", p->port, path);
	return u;
}

/* Install a new handler and clear the request log. */
void
peer_reset(Peer *p, PeerHandler handler, void *arg)
{
	int			i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->nlog; i++)
		free_request(p->log[i]);
	p->nlog = 0;
	p->handler = handler;
	p->arg = arg;
	pthread_mutex_unlock(&p->lock);
}

int
peer_nrequests(Peer *p)
{
	int			n;

	pthread_mutex_lock(&p->lock);
	n = p->nlog;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Logged request i; entries never move once logged. */
const PeerRequest *
peer_request(Peer *p, int i)
{
	const PeerRequest *r = NULL;

	pthread_mutex_lock(&p->lock);
	if (i >= 0 && i < p->nlog)
		r = p->log[i];
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* Number of connections the peer currently has open (racy; for tests). */
int
peer_open_connections(Peer *p)
{
	return p->nconns;
}

/* Value of a request header (malloc'd), or NULL. */
char *
peer_header(const PeerRequest *req, const char *name)
{
	size_t		nl = strlen(name);
	const char *line = strstr(req->headers, "\r\n");

	while (line != NULL && line[2] != '\r')
	{
		const char *start = line + 2;
		const char *eol = strstr(start, "\r\n");

		if (eol == NULL)
			break;
		if ((size_t) (eol - start) > nl && start[nl] == ':' &&
			strncasecmp(start, name, nl) == 0)
		{
			const char *v = start + nl + 1;

			while (*v == ' ')
				v++;
			return strndup(v, (size_t) (eol - v));
		}
		line = eol;
	}
	return NULL;
}

/* Decode %XX and '+' of a form value. */
static char *
form_decode(const char *s, size_t len)
{
	char	   *out = malloc(len + 1);
	size_t		i;
	size_t		o = 0;

	for (i = 0; i < len; i++)
	{
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < len)
		{
			char		hex[3] = {s[i + 1], s[i + 2], 0};

			out[o++] = (char) strtol(hex, NULL, 16);
			i += 2;
		}
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/* Decoded value of a form field of a POST body (malloc'd), or NULL. */
char *
peer_form_field(const PeerRequest *req, const char *name)
{
	const char *p = req->body;
	size_t		nl = strlen(name);

	while (p != NULL && *p)
	{
		const char *amp = strchr(p, '&');
		size_t		len = amp ? (size_t) (amp - p) : strlen(p);

		if (len > nl && p[nl] == '=' && strncmp(p, name, nl) == 0)
			return form_decode(p + nl + 1, len - nl - 1);
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

/* A complete response with Content-Length. */
void
peer_respond(PeerResponse *resp, int status, const char *extra_headers,
			 const char *content_type, const char *body)
{
	size_t		blen = body ? strlen(body) : 0;
	size_t		cap = blen + 512 + (extra_headers ? strlen(extra_headers) : 0);

	resp->action = PEER_RESPOND;
	resp->raw = malloc(cap);
	resp->raw_len = (size_t) snprintf(resp->raw, cap,
									  "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s%s%s%s",
									  status, blen,
									  content_type ? "Content-Type: " : "",
									  content_type ? content_type : "",
									  content_type ? "\r\n" : "",
									  extra_headers ? extra_headers : "");
	resp->raw_len += (size_t) snprintf(resp->raw + resp->raw_len,
									   cap - resp->raw_len, "\r\n");
	if (blen)
		memcpy(resp->raw + resp->raw_len, body, blen);
	resp->raw_len += blen;
}

/* Arbitrary bytes and action. */
void
peer_respond_raw(PeerResponse *resp, PeerAction action, const char *raw,
				 size_t len)
{
	resp->action = action;
	resp->raw = malloc(len + 1);
	memcpy(resp->raw, raw, len);
	resp->raw_len = len;
}
