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
/// order, so a gap is waited for (<see cref="StreamingOptions.GapTimeout"/>) before it is passed over.
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

    /// <summary>When the gap just above <see cref="_settled"/> was first seen.</summary>
    private long? _gapSince;

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
            _gapSince = null;
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

        Settle();
    }

    /// <summary>Moves <see cref="_settled"/> over the ids dispatched without a gap, and over a gap older than the timeout.</summary>
    private void Settle()
    {
        while (_dispatched.Count > 0)
        {
            var next = _dispatched.Min;
            if (next == _settled + 1)
            {
                _settled = next;
                _dispatched.Remove(next);
                _gapSince = null;
                continue;
            }

            _gapSince ??= time.GetTimestamp();
            if (time.GetElapsedTime(_gapSince.Value) < options.Value.GapTimeout)
            {
                return;
            }

            LogGapPassed(_settled + 1, next - 1);
            _settled = next - 1;
            _gapSince = null;
        }
    }

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
