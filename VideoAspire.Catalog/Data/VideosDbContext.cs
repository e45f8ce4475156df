using Microsoft.EntityFrameworkCore;

namespace VideoAspire.Catalog.Data;

public sealed class VideosDbContext(DbContextOptions<VideosDbContext> options) : DbContext(options)
{
    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<Video> Videos => Set<Video>();

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
        });
    }
}
