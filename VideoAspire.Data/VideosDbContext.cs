using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using VideoAspire.Data.Webhooks;

namespace VideoAspire.Data;

public sealed class VideosDbContext(DbContextOptions<VideosDbContext> options) : DbContext(options)
{
    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<Video> Videos => Set<Video>();

    public DbSet<WebSubSubscription> WebSubSubscriptions => Set<WebSubSubscription>();

    public DbSet<VideoTombstone> VideoTombstones => Set<VideoTombstone>();

    public DbSet<ChannelKind> ChannelKinds => Set<ChannelKind>();

    public DbSet<ChannelResolutionRecord> ChannelResolutions => Set<ChannelResolutionRecord>();

    public DbSet<VideoEvent> VideoEvents => Set<VideoEvent>();

    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    /// <summary>Kinds are stored by their query names (<c>videos</c>, <c>shorts</c>, <c>live</c>): readable in psql.</summary>
    private static readonly ValueConverter<VideoKind, string> KindName = new(kind => kind.Name(), name => VideoKinds.FromStored(name) ?? VideoKind.All);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Channel>(channel =>
        {
            channel.Property(c => c.Id).HasMaxLength(ChannelId.Length);
            channel.Property(c => c.Title).HasMaxLength(StoredTitle.MaxLength);
            channel.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
            // last_accessed_at is written for every channel read (batched), so it has no index and pages keep free
            // room: the update is then HOT (heap only: no index entry per read). The Worker's once-a-minute look for
            // recently read channels scans the table instead (~0.2 s for a million channels).
            channel.HasStorageParameter("fillfactor", 70);
        });

        modelBuilder.Entity<Video>(video =>
        {
            video.HasKey(v => v.VideoId);
            // Ordinal ("C") order: the newest-first tie-break on video_id must be the same in PostgreSQL as in
            // ChannelSnapshot.Latest() (StringComparer.Ordinal), whatever the database's default collation.
            video.Property(v => v.VideoId).HasMaxLength(VideoId.Length).UseCollation("C");
            video.Property(v => v.ChannelId).HasMaxLength(ChannelId.Length);
            video.Property(v => v.Title).HasMaxLength(StoredTitle.MaxLength);
            // Rows written before write ordering existed count as older than any new write.
            video.Property(v => v.SourceTime).HasDefaultValueSql("'epoch'::timestamptz");
            video.HasOne(v => v.Channel).WithMany(c => c.Videos).HasForeignKey(v => v.ChannelId);

            // "Latest five of a channel" is one seek on this index and an index-only scan:
            // equality on channel_id, already sorted newest first, with every selected column included.
            video.HasIndex(v => new { v.ChannelId, v.PublishedAt, v.VideoId })
                .IsDescending(false, true, true)
                .IncludeProperties(v => v.Title)
                .HasDatabaseName("ix_videos_channel_latest");

            video.Property(v => v.Kind).HasConversion(KindName).HasMaxLength(8);
            // "Latest five of a kind": the same seek within the kind. Partial: most rows never get a kind (it is learnt
            // only when someone asks for one), and those cost this index nothing.
            video.HasIndex(v => new { v.ChannelId, v.Kind, v.PublishedAt, v.VideoId })
                .IsDescending(false, false, true, true)
                .IncludeProperties(v => v.Title)
                .HasFilter("kind IS NOT NULL")
                .HasDatabaseName("ix_videos_channel_kind_latest");
        });

        modelBuilder.Entity<WebSubSubscription>(subscription =>
        {
            subscription.ToTable("websub_subscriptions");
            subscription.HasKey(s => s.ChannelId);
            subscription.Property(s => s.ChannelId).HasMaxLength(ChannelId.Length);
            subscription.Property(s => s.Mode).HasMaxLength(16);
            subscription.Property(s => s.CallbackToken).HasMaxLength(64);
            subscription.HasIndex(s => s.CallbackToken).IsUnique(); // a notification finds its subscription by it
            subscription.HasOne(s => s.Channel).WithOne().HasForeignKey<WebSubSubscription>(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
            // The refresh skips channels with a live lease; the subscription job looks for leases running out.
            subscription.HasIndex(s => s.LeaseExpiresAt);
        });

        modelBuilder.Entity<ChannelKind>(channelKind =>
        {
            channelKind.ToTable("channel_kinds");
            channelKind.HasKey(k => new { k.ChannelId, k.Kind });
            channelKind.Property(k => k.ChannelId).HasMaxLength(ChannelId.Length);
            channelKind.Property(k => k.Kind).HasConversion(KindName).HasMaxLength(8);
            channelKind.HasOne(k => k.Channel).WithMany(c => c.Kinds).HasForeignKey(k => k.ChannelId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ChannelResolutionRecord>(resolution =>
        {
            // Not tied to channels: a handle is resolved before (and whether or not) its channel is stored.
            resolution.ToTable("channel_references");
            resolution.HasKey(r => r.Reference);
            resolution.Property(r => r.Reference).HasMaxLength(ChannelResolutionRecord.MaxReferenceLength);
            resolution.Property(r => r.ChannelId).HasMaxLength(ChannelId.Length);
            resolution.Property(r => r.Handle).HasMaxLength(64);
            resolution.Property(r => r.Title).HasMaxLength(200);
        });

        modelBuilder.Entity<VideoEvent>(videoEvent =>
        {
            // No foreign keys: an event outlives its video (a deletion's event is about a row that is gone).
            videoEvent.ToTable("video_events");
            videoEvent.HasKey(e => e.Id);
            videoEvent.Property(e => e.Id).UseIdentityAlwaysColumn();
            videoEvent.Property(e => e.Type).HasMaxLength(32);
            videoEvent.Property(e => e.ChannelId).HasMaxLength(ChannelId.Length);
            videoEvent.Property(e => e.VideoId).HasMaxLength(VideoId.Length).UseCollation("C");
            videoEvent.Property(e => e.Title).HasMaxLength(StoredTitle.MaxLength);
            videoEvent.Property(e => e.Kind).HasConversion(KindName).HasMaxLength(8);
            videoEvent.Property(e => e.OccurredAt).HasDefaultValueSql("now()");
            // A channel's events in order (a stream resuming from Last-Event-ID, a subscription's backlog).
            videoEvent.HasIndex(e => new { e.ChannelId, e.Id });
            // One publication per video, whichever writes race to store it first.
            videoEvent.HasIndex(e => e.VideoId).IsUnique().HasFilter($"type = '{VideoEventType.Published}'")
                .HasDatabaseName("ux_video_events_published");
        });

        modelBuilder.Entity<WebhookSubscription>(subscription =>
        {
            subscription.ToTable("webhook_subscriptions");
            subscription.Property(s => s.Owner).HasMaxLength(256);
            subscription.Property(s => s.Url).HasMaxLength(2048);
            subscription.Property(s => s.Secret).HasMaxLength(64);
            subscription.Property(s => s.PreviousSecret).HasMaxLength(64);
            subscription.Property(s => s.Status).HasMaxLength(16);
            subscription.Property(s => s.DisabledReason).HasMaxLength(500);
            subscription.Property(s => s.CreatedAt).HasDefaultValueSql("now()");
            subscription.HasIndex(s => s.Owner); // a caller's list, and its count against the limit
            subscription.HasMany(s => s.Channels).WithOne().HasForeignKey(c => c.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<WebhookSubscriptionChannel>(channel =>
        {
            // Not tied to channels: a subscription may name a channel before it is stored.
            channel.ToTable("webhook_subscription_channels");
            channel.HasKey(c => new { c.SubscriptionId, c.ChannelId });
            channel.Property(c => c.ChannelId).HasMaxLength(ChannelId.Length);
            channel.HasIndex(c => c.ChannelId); // an event's subscribers
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("webhook_deliveries");
            delivery.Property(d => d.Id).UseIdentityAlwaysColumn();
            delivery.Property(d => d.Status).HasMaxLength(16);
            delivery.Property(d => d.Challenge).HasMaxLength(64);
            delivery.Property(d => d.LastError).HasMaxLength(500);
            delivery.Property(d => d.CreatedAt).HasDefaultValueSql("now()");
            delivery.Ignore(d => d.MessageId);
            delivery.HasOne(d => d.Subscription).WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
            // What is due, soonest first: only pending messages are in it, so it stays as small as the backlog.
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter($"status = '{DeliveryStatus.Pending}'").HasDatabaseName("ix_webhook_deliveries_due");
            // A subscription's recent messages, newest first.
            delivery.HasIndex(d => new { d.SubscriptionId, d.Id }).IsDescending(false, true);
            // One message per event and subscription, however often the fan-out is redone.
            delivery.HasIndex(d => new { d.EventId, d.SubscriptionId }).IsUnique().HasFilter("event_id IS NOT NULL");
        });

        modelBuilder.Entity<WebhookFanoutCursor>(cursor =>
        {
            cursor.ToTable("webhook_fanout_cursor");
            cursor.Property(c => c.Id).ValueGeneratedNever();
        });

        modelBuilder.Entity<WebhookUsage>(usage =>
        {
            usage.ToTable("webhook_usage");
            usage.HasKey(u => new { u.Owner, u.Day });
            usage.Property(u => u.Owner).HasMaxLength(256);
        });

        modelBuilder.Entity<VideoTombstone>(tombstone =>
        {
            tombstone.HasKey(t => t.VideoId);
            tombstone.Property(t => t.VideoId).HasMaxLength(VideoId.Length).UseCollation("C");
            tombstone.Property(t => t.ChannelId).HasMaxLength(ChannelId.Length);
        });
    }
}
