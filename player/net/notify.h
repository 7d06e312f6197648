/* net/ internal: the [feed] notify URL (notify.c). Pure functions, any
 * thread. */
#ifndef DP_NET_NOTIFY_H
#define DP_NET_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

struct notify_url {
    bool tls;       /* mqtts:// */
    char host[256]; /* a name, an IPv4 or an IPv6 address (no brackets) */
    int port;       /* 1883 / 8883 by default */
    bool has_user, has_password;
    char user[256], password[256]; /* %-decoded */
    char topic[512];               /* %-decoded; MQTT wildcards allowed */
};

/* Parses mqtt://[user[:password]@]host[:port]/topic or mqtts://... into out.
 * Returns 0, or -1 with a message (that never holds the password) in err. */
int notify_parse_url(const char *url, struct notify_url *out, char *err, size_t errlen);
/* url with any user:password@ replaced by "<login>@", for logs and status. */
void notify_redact_url(const char *url, char *out, size_t cap);

#endif
