#include "sink.h"

#include <stdlib.h>
#include <sys/queue.h>

#include "xmalloc.h"

struct sink {
	const struct sink_ops *ops;
	void *arg;
	STAILQ_ENTRY(sink) link;
};

struct sinks {
	STAILQ_HEAD(sink_list, sink) list;
};

struct sinks *sinks_new(void)
{
	struct sinks *l = xcalloc(1, sizeof *l);

	STAILQ_INIT(&l->list);
	return l;
}

void sinks_add(struct sinks *l, const struct sink_ops *ops, void *arg)
{
	struct sink *k = xcalloc(1, sizeof *k);

	k->ops = ops;
	k->arg = arg;
	STAILQ_INSERT_TAIL(&l->list, k, link);
}

void sinks_remove(struct sinks *l, const struct sink_ops *ops, void *arg)
{
	struct sink *k;

	STAILQ_FOREACH (k, &l->list, link) {
		/* cppcheck-suppress uninitvar ; STAILQ_FOREACH sets k */
		if (k->ops == ops && k->arg == arg) {
			STAILQ_REMOVE(&l->list, k, sink, link);
			free(k);
			return;
		}
	}
}

void sinks_free(struct sinks *l)
{
	if (l == NULL)
		return;
	while (!STAILQ_EMPTY(&l->list)) {
		struct sink *k = STAILQ_FIRST(&l->list);
		STAILQ_REMOVE_HEAD(&l->list, link);
		free(k);
	}
	free(l);
}

void sinks_reading(struct sinks *l, const struct sensor *s, double t)
{
	struct sink *k;

	if (l != NULL)
		STAILQ_FOREACH (k, &l->list, link)
			if (k->ops->reading != NULL)
				k->ops->reading(k->arg, s, t);
}

void sinks_changed(struct sinks *l, const struct sensor *s)
{
	struct sink *k;

	if (l != NULL)
		STAILQ_FOREACH (k, &l->list, link)
			if (k->ops->changed != NULL)
				k->ops->changed(k->arg, s);
}

void sinks_round(struct sinks *l, const struct measure *m, double duration)
{
	struct sink *k;

	if (l != NULL)
		STAILQ_FOREACH (k, &l->list, link)
			if (k->ops->round != NULL)
				k->ops->round(k->arg, m, duration);
}
