using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

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

        modelBuilder.Entity<VideoTombstone>(tombstone =>
        {
            tombstone.HasKey(t => t.VideoId);
            tombstone.Property(t => t.VideoId).HasMaxLength(VideoId.Length).UseCollation("C");
            tombstone.Property(t => t.ChannelId).HasMaxLength(ChannelId.Length);
        });
    }
}
