/*-------------------------------------------------------------------------
 *
 * peer.h
 *		  A tiny in-process HTTP/1.1 server for transport tests.
 *
 * One thread listens on 127.0.0.1 (port chosen by the kernel) and serves
 * any number of connections with poll().  Each complete request is logged
 * (with the id of the connection it came on) and handed to the current
 * handler, which scripts the answer: send bytes, hang, reset, or close.
 *
 * IDENTIFICATION
 *		  test/client/peer.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PEER_H
#define PEER_H

#include <stdbool.h>
#include <stddef.h>

#define PEER_MAX_REQUESTS 512

typedef struct PeerRequest
{
	int			conn_id;		/* 1, 2, ... in accept order */
	char		method[16];
	char	   *target;			/* path and query */
	char	   *headers;		/* raw header lines */
	char	   *body;			/* NUL-terminated */
	size_t		body_len;
} PeerRequest;

typedef enum PeerAction
{
	PEER_RESPOND,				/* write raw, then keep the connection */
	PEER_RESPOND_CLOSE,			/* write raw, then close */
	PEER_HANG,					/* never answer */
	PEER_RESET,					/* close with RST */
	PEER_CLOSE					/* close without answering */
} PeerAction;

typedef struct PeerResponse
{
	PeerAction	action;
	char	   *raw;			/* malloc'd response bytes */
	size_t		raw_len;
} PeerResponse;

/* index = position of this request in the log (0-based) */
typedef void (*PeerHandler) (const PeerRequest *req, int index,
							 PeerResponse *resp, void *arg);

typedef struct Peer Peer;

extern Peer *peer_start(void);
extern void peer_stop(Peer *peer);
extern int	peer_port(Peer *peer);
extern char *peer_url(Peer *peer, const char *path);
extern void peer_reset(Peer *peer, PeerHandler handler, void *arg);
extern int	peer_nrequests(Peer *peer);
extern const PeerRequest *peer_request(Peer *peer, int i);
extern int	peer_open_connections(Peer *peer);

/* helpers for handlers and tests */
extern char *peer_header(const PeerRequest *req, const char *name);
extern char *peer_form_field(const PeerRequest *req, const char *name);
extern void peer_respond(PeerResponse *resp, int status, const char *extra_headers,
						 const char *content_type, const char *body);
extern void peer_respond_raw(PeerResponse *resp, PeerAction action,
							 const char *raw, size_t len);

#endif							/* PEER_H */
