/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_tap_vnet.c - libFuzzer target: frames from pasta's tap device, each
 *		     with the virtio_net_hdr the namespace's kernel puts
 *		     before it (offloads: segmentation, partial checksums)
 *
 * fuzz-extra: arp.c checksum.c conf.c ctl.c dhcp.c dhcpv6.c flow.c fwd.c
 * fuzz-extra: fwd_scan.c hostwatch.c icmp.c log.c ndp.c netlink.c pasta.c
 * fuzz-extra: pcap.c tcp.c tcp_splice.c udp.c util.c
 * fuzz-extra: vhost_user.c virtio.c
 *
 * Input: one option byte (bit 0: the device has a virtio_net_hdr, bit 1: a
 * capture file is configured, so that partial checksums are completed,
 * bit 2: UDP segmentation offload is enabled, else TCP's only, bit 3:
 * frames from a vhost-user guest instead, bits 4 to 7: how they are cut in
 * pieces), then what successive read()s from the device return, each as a
 * 16-bit big-endian length and that many bytes (header, if any, then the
 * frame). Up to FUZZ_READS_MAX of them go through tap_pasta_frame(), the
 * function tap_pasta_input() calls for each read, as one batch, each in a
 * buffer of its own size (AddressSanitizer sees any byte read past it).
 * vhost-user frames, with a virtio_net_hdr, go through tap_vu_frame() in
 * pieces, each in a buffer of its own, with a buffer for the copy.
 *
 * Protocol handlers are stubs (renamed with macros before including tap.c,
 * as in test_tap.c): they check that every packet they get lies inside one
 * of the frames, and read all of it, and that UDP packets carrying several
 * datagrams come only with the offload on, with a segment size within the
 * payload and at most TAP_USO_SEGS_MAX segments. Payload left in the
 * pieces of a vhost-user frame must lie within them, and add up to the
 * packet's length less its header, which must be in the copy. ARP is the
 * real one, with no guest to answer to.
 */

#include <stdlib.h>

#define ndp			stub_ndp
#define dhcp			stub_dhcp
#define dhcpv6			stub_dhcpv6
#define icmp_tap_handler	stub_icmp_tap_handler
#define udp_tap_handler		stub_udp_tap_handler
#define tcp_tap_handler		stub_tcp_tap_handler
#define tcp_tap_reset		stub_tcp_tap_reset
#define ndp_guest_connected	stub_ndp_guest_connected

#include "../../tap.c"

#define FUZZ_READS_MAX	32
#define FUZZ_PIECES_MAX	64	/* VQ_IOV_MAX: a chain has no more */

static struct ctx c;
static struct timespec fuzz_now;
static volatile uint32_t fuzz_sink;

/* Frames of the batch being parsed */
static struct {
	const uint8_t *p;
	size_t len;
} frames[FUZZ_READS_MAX];
static size_t nframes;

/* Pieces of vhost-user frames in the batch */
static struct iovec pieces[FUZZ_READS_MAX * FUZZ_PIECES_MAX];
static size_t npieces;

/**
 * in_piece() - Abort unless a buffer lies within one piece of a frame,
 *		read it
 * @p:		Buffer
 * @len:	Length
 */
static void in_piece(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < npieces; i++) {
		const uint8_t *q = pieces[i].iov_base;

		if (b >= q && len <= pieces[i].iov_len &&
		    (size_t)(b - q) <= pieces[i].iov_len - len)
			break;
	}
	if (i == npieces || !len)
		abort();

	for (i = 0; i < len; i++)
		s += b[i];
	fuzz_sink += s;
}

/**
 * inside() - Abort unless a packet lies within one of the frames, read it
 * @p:		Packet
 * @len:	Length handed to the handler
 */
static void inside(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	size_t i;

	for (i = 0; i < nframes; i++) {
		if (b >= frames[i].p && len <= frames[i].len &&
		    (size_t)(b - frames[i].p) <= frames[i].len - len)
			break;
	}
	if (i == nframes)
		abort();

	for (i = 0; i < len; i++)
		s += b[i];
	fuzz_sink += s;
}

int stub_ndp(struct ctx *ctx, const struct in6_addr *saddr,
	     const struct in6_addr *daddr, const void *icmp6, size_t len)
{
	(void)ctx;
	(void)saddr;
	(void)daddr;
	inside(icmp6, len);
	return len & 1;
}

int stub_dhcp(struct ctx *ctx, const void *msg, size_t len)
{
	(void)ctx;
	inside(msg, len);
	return len & 1;
}

int stub_dhcpv6(struct ctx *ctx, const struct in6_addr *saddr,
		const struct in6_addr *daddr, const void *msg, size_t len)
{
	(void)ctx;
	(void)saddr;
	(void)daddr;
	inside(msg, len);
	return len & 1;
}

void stub_icmp_tap_handler(struct ctx *ctx, int af, const void *saddr,
			   const void *daddr, const void *msg, size_t len,
			   const struct timespec *now)
{
	(void)ctx;
	(void)af;
	(void)saddr;
	(void)daddr;
	(void)now;
	inside(msg, len);
}

/**
 * l4_check() - Check a batch handed to the UDP or TCP handler
 * @pkts:	Packets
 * @n:		Number of packets
 * @hlen:	Minimum L4 header length tap.c promises
 */
static void l4_check(const struct tap_l4_pkt *pkts, size_t n, size_t hlen)
{
	size_t i;

	if (!n || n > TAP_BATCH_MAX)
		abort();
	for (i = 0; i < n; i++) {
		size_t j, pay = 0;

		if (pkts[i].len < hlen)
			abort();
		if (!pkts[i].niov) {
			inside(pkts[i].l4, pkts[i].len);
			continue;
		}
		if (pkts[i].gso || pkts[i].niov > FUZZ_PIECES_MAX)
			abort();
		for (j = 0; j < pkts[i].niov; j++) {
			in_piece(pkts[i].iov[j].iov_base,
				 pkts[i].iov[j].iov_len);
			pay += pkts[i].iov[j].iov_len;
		}
		if (pay > pkts[i].len - hlen)
			abort();
		inside(pkts[i].l4, pkts[i].len - pay);
	}
}

/**
 * uso_check() - Check the UDP segmentation of a batch for udp.c
 * @pkts:	Packets, already checked by l4_check()
 * @n:		Number of packets
 */
static void uso_check(const struct tap_l4_pkt *pkts, size_t n)
{
	size_t i, plen;

	for (i = 0; i < n; i++) {
		if (!pkts[i].gso)
			continue;
		plen = pkts[i].len - sizeof(struct udphdr);
		if (!(tap_offloads & TUN_F_USO4) || pkts[i].gso > plen ||
		    plen > (size_t)pkts[i].gso * TAP_USO_SEGS_MAX)
			abort();
	}
}

void stub_udp_tap_handler(struct ctx *ctx, int af, const void *saddr,
			  const void *daddr, const struct tap_l4_pkt *pkts,
			  size_t n, const struct timespec *now)
{
	(void)ctx;
	(void)af;
	(void)saddr;
	(void)daddr;
	(void)now;
	l4_check(pkts, n, sizeof(struct udphdr));
	uso_check(pkts, n);
}

void stub_tcp_tap_handler(struct ctx *ctx, int af, const void *saddr,
			  const void *daddr, const struct tap_l4_pkt *pkts,
			  size_t n, const struct timespec *now)
{
	size_t i;

	(void)ctx;
	(void)af;
	(void)saddr;
	(void)daddr;
	(void)now;
	l4_check(pkts, n, sizeof(struct tcphdr));
	for (i = 0; i < n; i++) {
		if (pkts[i].gso)
			abort();
	}
}

void stub_tcp_tap_reset(struct ctx *ctx)
{
	(void)ctx;
}

void stub_ndp_guest_connected(struct ctx *ctx, const struct timespec *now)
{
	(void)ctx;
	(void)now;
}

#include "fuzz_isolation.h"
#include "fuzz_seed.h"

/* Seeds: frames with the headers the kernel writes with offloads on */

static uint8_t seed_buf[4096];
static size_t seed_len;

/**
 * seed_read() - Append one read to the seed being built
 * @h:		virtio_net_hdr, NULL for a device without one
 * @f:		Frame
 * @len:	Length of @f
 */
static void seed_read(const struct virtio_net_hdr *h, const uint8_t *f,
		      size_t len)
{
	size_t n = len + (h ? sizeof(*h) : 0);

	if (seed_len + 2 + n > sizeof(seed_buf))
		return;
	seed_buf[seed_len++] = (uint8_t)(n >> 8);
	seed_buf[seed_len++] = (uint8_t)n;
	if (h) {
		memcpy(seed_buf + seed_len, h, sizeof(*h));
		seed_len += sizeof(*h);
	}
	memcpy(seed_buf + seed_len, f, len);
	seed_len += len;
}

/**
 * seed_out() - Write the seed built so far to FUZZ_SEED_DIR, start another
 * @name:	File name
 */
static void seed_out(const char *name)
{
	fuzz_seed(name, seed_buf, seed_len);
	seed_len = 0;
}

/**
 * seed_frame() - Ethernet, IP and TCP or UDP headers, then a payload
 * @f:		Buffer, at least 14 + 40 + 20 + @plen bytes, at 2 modulo 4
 * @v6:		IPv6, else IPv4
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @plen:	Payload length
 *
 * Return: frame length
 */
static size_t seed_frame(uint8_t *f, bool v6, uint8_t proto, size_t plen)
{
	size_t l3 = v6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr);
	size_t l4 = proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
					   sizeof(struct udphdr);
	struct ethhdr *eh = (struct ethhdr *)f;
	uint8_t *ip = f + ETH_HLEN, *p = ip + l3;

	memset(f, 0, ETH_HLEN + l3 + l4);
	memset(eh->h_dest, 0x9a, ETH_ALEN);
	memset(eh->h_source, 0x52, ETH_ALEN);
	if (v6) {
		struct ip6_hdr *h = (struct ip6_hdr *)ip;

		eh->h_proto = htons(ETH_P_IPV6);
		h->ip6_vfc = 6 << 4;
		h->ip6_plen = htons((uint16_t)(l4 + plen));
		h->ip6_nxt = proto;
		h->ip6_hlim = 64;
		inet_pton(AF_INET6, "2001:db8:1::1", &h->ip6_src);
		inet_pton(AF_INET6, "2001:db8:2::1", &h->ip6_dst);
	} else {
		struct iphdr *h = (struct iphdr *)ip;

		eh->h_proto = htons(ETH_P_IP);
		h->version = 4;
		h->ihl = 5;
		h->tot_len = htons((uint16_t)(l3 + l4 + plen));
		h->ttl = 64;
		h->protocol = proto;
		inet_pton(AF_INET, "198.18.0.1", &h->saddr);
		inet_pton(AF_INET, "198.19.0.1", &h->daddr);
	}

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)p;

		th->source = htons(40000);
		th->dest = htons(80);
		th->doff = 5;
		th->ack = 1;
	} else {
		struct udphdr *uh = (struct udphdr *)p;

		uh->source = htons(40001);
		uh->dest = htons(53);
		uh->len = htons((uint16_t)(l4 + plen));
	}
	memset(p + l4, 0xa5, plen);

	return ETH_HLEN + l3 + l4 + plen;
}

/**
 * seed_offload() - Fill a virtio_net_hdr for a frame of seed_frame()
 * @h:		Header to fill
 * @v6:		IPv6, else IPv4
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @gso_type:	VIRTIO_NET_HDR_GSO_*, NONE for checksum offload only
 * @gso_size:	Segment size, 0 without segmentation
 */
static void seed_offload(struct virtio_net_hdr *h, bool v6, uint8_t proto,
			 uint8_t gso_type, uint16_t gso_size)
{
	size_t l4off = ETH_HLEN + (v6 ? sizeof(struct ip6_hdr) :
					sizeof(struct iphdr));
	bool tcp = proto == IPPROTO_TCP;

	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = gso_type;
	if (gso_size) {
		h->hdr_len = (uint16_t)(l4off + (tcp ? sizeof(struct tcphdr) :
						       sizeof(struct udphdr)));
		h->gso_size = gso_size;
	}
	h->csum_start = (uint16_t)l4off;
	h->csum_offset = tcp ? offsetof(struct tcphdr, check) :
			       offsetof(struct udphdr, check);
}

/**
 * seeds() - Write seed inputs, if FUZZ_SEED_DIR is set
 */
static void seeds(void)
{
	static uint8_t buf[2048 + 2] __attribute__((aligned(8)));
	struct virtio_net_hdr h = { 0 };
	uint8_t *f = buf + 2;	/* IP header aligned */
	size_t len;

	seed_buf[seed_len++] = 3;	/* header, capture */
	len = seed_frame(f, false, IPPROTO_TCP, 1000);
	seed_offload(&h, false, IPPROTO_TCP, VIRTIO_NET_HDR_GSO_TCPV4, 300);
	seed_read(&h, f, len);

	len = seed_frame(f, true, IPPROTO_TCP, 1000);
	seed_offload(&h, true, IPPROTO_TCP, VIRTIO_NET_HDR_GSO_TCPV6, 300);
	seed_read(&h, f, len);

	len = seed_frame(f, true, IPPROTO_UDP, 200);
	seed_offload(&h, true, IPPROTO_UDP, VIRTIO_NET_HDR_GSO_NONE, 0);
	seed_read(&h, f, len);

	len = seed_frame(f, false, IPPROTO_UDP, 20);
	memset(&h, 0, sizeof(h));
	seed_read(&h, f, len);
	seed_out("offloads");

	/* Runs of UDP datagrams in one frame, UDP segmentation offload on */
	seed_buf[seed_len++] = 7;
	len = seed_frame(f, false, IPPROTO_UDP, 1000);
	seed_offload(&h, false, IPPROTO_UDP, VIRTIO_NET_HDR_GSO_UDP_L4, 300);
	seed_read(&h, f, len);

	len = seed_frame(f, true, IPPROTO_UDP, 1000);
	seed_offload(&h, true, IPPROTO_UDP, VIRTIO_NET_HDR_GSO_UDP_L4, 8);
	seed_read(&h, f, len);
	seed_out("uso");

	/* vhost-user, in pieces of 41 bytes: TCP with offloads, UDP */
	seed_buf[seed_len++] = 8 | 2 << 4;
	len = seed_frame(f, false, IPPROTO_TCP, 1000);
	seed_offload(&h, false, IPPROTO_TCP, VIRTIO_NET_HDR_GSO_TCPV4, 300);
	seed_read(&h, f, len);
	len = seed_frame(f, true, IPPROTO_UDP, 1000);
	memset(&h, 0, sizeof(h));
	seed_read(&h, f, len);
	len = seed_frame(f, true, IPPROTO_TCP, 100);
	seed_read(&h, f, len);
	seed_out("vhost-user");

	seed_buf[seed_len++] = 0;	/* no header */
	len = seed_frame(f, false, IPPROTO_TCP, 100);
	seed_read(NULL, f, len);
	len = seed_frame(f, true, IPPROTO_UDP, 100);
	seed_read(NULL, f, len);
	seed_out("plain");
}

/**
 * LLVMFuzzerInitialize() - Seeds, context
 * @argc:	Argument count, unused
 * @argv:	Arguments, unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	seeds();

	c.mode = MODE_PASTA;
	c.fd_tap = c.fd_tap_listen = c.fd_passed = -1;
	c.mtu = 1500;
	inet_pton(AF_INET, "198.18.0.1", &c.ip4.addr);
	inet_pton(AF_INET, "198.18.0.2", &c.ip4.gw);
	memset(c.our_tap_mac, 0x9a, ETH_ALEN);
	log_init("pasta", getenv("FUZZ_DEBUG") ? LOG_DEBUG : LOG_ERR, false);
	clock_gettime(CLOCK_MONOTONIC, &fuzz_now);

	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - Parse reads from the tap device as one batch
 * @data:	Option byte, then length-prefixed reads
 * @size:	Length of @data
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bufs[FUZZ_READS_MAX];
	size_t off = 1, n = 0, i;
	bool vu;

	if (!size)
		return 0;

	tap_vnet_len = (data[0] & 1) ? sizeof(struct virtio_net_hdr) : 0;
	c.pcap[0] = (data[0] & 2) ? '-' : 0;
	tap_offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	if (data[0] & 4)
		tap_offloads |= TUN_F_USO4 | TUN_F_USO6;
	fuzz_now.tv_sec++;

	vu = data[0] & 8;
	if (vu)
		tap_offloads &= ~(TUN_F_USO4 | TUN_F_USO6);
	npieces = 0;

	while (n < FUZZ_READS_MAX && size - off >= 2) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (len > size - off)
			len = size - off;

		if (vu && len >= sizeof(struct virtio_net_hdr)) {
			size_t flen = len - sizeof(struct virtio_net_hdr);
			size_t cut = 1 + (size_t)(data[0] >> 4) * 20, k = 0, o;
			struct virtio_net_hdr h;
			struct iovec *iov = pieces + npieces;

			memcpy(&h, data + off, sizeof(h));
			off += sizeof(h);
			cut = MAX(cut, (flen + FUZZ_PIECES_MAX - 1) /
				       FUZZ_PIECES_MAX);
			for (o = 0; o < flen; o += cut, k++) {
				size_t l = MIN(cut, flen - o);

				iov[k].iov_base = malloc(l);
				iov[k].iov_len = l;
				memcpy(iov[k].iov_base, data + off + o, l);
			}
			npieces += k;
			off += flen;

			bufs[n] = malloc(flen ? flen : 1);
			frames[n].p = bufs[n];
			frames[n].len = flen;
			nframes = ++n;
			tap_vu_frame(&c, &h, iov, k, flen, bufs[n - 1],
				     &fuzz_now);
			continue;
		}

		bufs[n] = malloc(len ? len : 1);
		memcpy(bufs[n], data + off, len);
		off += len;

		/* The frame, as tap_pasta_frame() finds it after the header */
		frames[n].p = bufs[n] + MIN(len, tap_vnet_len);
		frames[n].len = len - MIN(len, tap_vnet_len);
		nframes = ++n;

		tap_pasta_frame(&c, bufs[n - 1], len, &fuzz_now);
	}
	tap_flush(&c, &fuzz_now);
	nframes = 0;

	for (i = 0; i < n; i++)
		free(bufs[i]);
	for (i = 0; i < npieces; i++)
		free(pieces[i].iov_base);
	npieces = 0;

	return 0;
}
