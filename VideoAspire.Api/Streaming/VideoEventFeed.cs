using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using VideoAspire.Data;

namespace VideoAspire.Api.Streaming;

/// <summary>
/// This instance's one reader of the outbox (<c>video_events</c>), fanning new events out to its open streams: an event
/// stored through any replica or by the Worker reaches every stream of its channel, at the cost of one query per
/// <see cref="StreamingOptions.PollInterval"/> for the whole instance. Ids are taken at insert and committed in any
/// order, so a gap is passed over only once it is final: when every transaction that was running when it was first
/// seen has ended (PostgreSQL's snapshot <c>xmin</c> has passed the <c>xmax</c> seen then; an event's transaction has
/// written, and so holds its transaction id, before it takes the event's id). The Worker's webhook fan-out uses the same rule.
/// </summary>
/// <remarks>Hand-written rather than PostgreSQL LISTEN/NOTIFY: a notification sent while this instance was reconnecting
/// is lost, the outbox is not.</remarks>
public sealed partial class VideoEventFeed(
    IServiceScopeFactory scopeFactory, IOptions<StreamingOptions> options, TimeProvider time, ILogger<VideoEventFeed> logger)
    : BackgroundService
{
    private const int PageSize = 1_000;

    private readonly ConcurrentDictionary<Guid, Listener> _listeners = new();

    /// <summary>Every id up to this one is dispatched (or was a gap given up on).</summary>
    private long _settled = -1;

    /// <summary>Ids above <see cref="_settled"/> already dispatched.</summary>
    private readonly SortedSet<long> _dispatched = [];

    /// <summary>The snapshot's <c>xmax</c> when the gap just above <see cref="_settled"/> was first seen.</summary>
    private long? _gapXmax;

    public int Listeners => _listeners.Count;

    /// <summary>New events of these channels (and kind), from now on, until the returned listener is disposed.</summary>
    public Listener Listen(IReadOnlySet<string> channelIds, VideoKind kind)
    {
        var listener = new Listener(this, channelIds, kind, System.Threading.Channels.Channel.CreateBounded<StreamEvent>(
            new BoundedChannelOptions(options.Value.ClientBuffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));
        _listeners[listener.Key] = listener;
        return listener;
    }

    /// <summary>Events of these channels after <paramref name="lastEventId"/>, within the resume window, oldest first.</summary>
    public async Task<IReadOnlyList<StreamEvent>> SinceAsync(IReadOnlySet<string> channelIds, VideoKind kind, long lastEventId, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();
        var oldest = time.GetUtcNow() - options.Value.ResumeWindow;
        var ids = channelIds.ToArray();
        var rows = await db.VideoEvents.AsNoTracking()
            .Where(e => ids.Contains(e.ChannelId) && e.Id > lastEventId && e.OccurredAt >= oldest)
            .OrderBy(e => e.Id)
            .Take(options.Value.ResumeMaxEvents)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(StreamEvent.From).Where(e => e.IsOfKind(kind))];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(ex); // PostgreSQL away (or worse): streams stay open, and the events wait in the outbox
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VideosDbContext>();
        if (_settled < 0)
        {
            // Streams carry what happens from now on; what came before is for Last-Event-ID.
            _settled = await db.VideoEvents.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
            return;
        }

        if (_listeners.IsEmpty)
        {
            // Nobody listens: keep up without reading the events themselves.
            _settled = Math.Max(_settled, await db.VideoEvents.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0);
            _dispatched.Clear();
            _gapXmax = null;
            return;
        }

        var settled = _settled;
        var rows = await db.VideoEvents.AsNoTracking()
            .Where(e => e.Id > settled)
            .OrderBy(e => e.Id)
            .Take(PageSize)
            .ToListAsync(cancellationToken);
        foreach (var row in rows.Where(row => !_dispatched.Contains(row.Id)))
        {
            Dispatch(StreamEvent.From(row));
            _dispatched.Add(row.Id);
        }

        await SettleAsync(db, cancellationToken);
    }

    /// <summary>Moves <see cref="_settled"/> over the ids dispatched without a gap, and over a gap that is final.</summary>
    private async Task SettleAsync(VideosDbContext db, CancellationToken cancellationToken)
    {
        while (_dispatched.Count > 0)
        {
            var next = _dispatched.Min;
            if (next == _settled + 1)
            {
                _settled = next;
                _dispatched.Remove(next);
                _gapXmax = null;
                continue;
            }

            var snapshot = await db.Database.SqlQuery<OutboxSnapshot>(
                $"SELECT pg_snapshot_xmin(s)::text::bigint AS xmin, pg_snapshot_xmax(s)::text::bigint AS xmax FROM pg_current_snapshot() AS s")
                .SingleAsync(cancellationToken);
            _gapXmax ??= snapshot.Xmax;
            if (snapshot.Xmin < _gapXmax)
            {
                return; // a transaction that may still commit an id in the gap is running
            }

            LogGapPassed(_settled + 1, next - 1);
            _settled = next - 1;
            _gapXmax = null;
        }
    }

    /// <summary>PostgreSQL's current snapshot: the oldest transaction still running, and the next to start.</summary>
    private sealed record OutboxSnapshot(long Xmin, long Xmax);

    private void Dispatch(StreamEvent videoEvent)
    {
        foreach (var listener in _listeners.Values)
        {
            if (listener.Wants(videoEvent) && !listener.Writer.TryWrite(videoEvent))
            {
                // A client this far behind is let go: it resumes with Last-Event-ID.
                listener.Writer.TryComplete(new ClientTooSlowException());
            }
        }
    }

    private void Remove(Listener listener) => _listeners.TryRemove(listener.Key, out _);

    /// <summary>One stream's subscription: its channels and kind, and the events waiting to be sent.</summary>
    public sealed class Listener(VideoEventFeed feed, IReadOnlySet<string> channelIds, VideoKind kind, System.Threading.Channels.Channel<StreamEvent> events) : IDisposable
    {
        public Guid Key { get; } = Guid.NewGuid();

        public ChannelReader<StreamEvent> Events => events.Reader;

        internal ChannelWriter<StreamEvent> Writer => events.Writer;

        internal bool Wants(StreamEvent videoEvent) => channelIds.Contains(videoEvent.ChannelId) && videoEvent.IsOfKind(kind);

        public void Dispose()
        {
            feed.Remove(this);
            events.Writer.TryComplete();
        }
    }

    /// <summary>A stream's buffer filled up: the client reads slower than its channels upload.</summary>
    public sealed class ClientTooSlowException() : Exception("The client fell too far behind.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the outbox for the live streams")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox ids {From}-{To} never committed (rolled back): passed over")]
    private partial void LogGapPassed(long from, long to);
}
