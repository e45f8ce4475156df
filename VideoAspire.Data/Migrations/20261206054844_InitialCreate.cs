using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <summary>
    /// The schema: channels, videos with their kinds and tombstones, WebSub subscriptions, and the tables of Quartz.NET's
    /// ADO.NET job store, where the Worker replicas keep their shared schedule. The Quartz DDL is the one the referenced
    /// Quartz ships for PostgreSQL (the script its own schema provisioning runs), so it always matches the SQL Quartz
    /// issues; a Quartz upgrade that adds columns needs a migration of its own with Quartz's upgrade script.
    /// </summary>
    public partial class InitialCreate : Migration
    {
        internal const string QuartzTablePrefix = "qrtz_";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "channels",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    last_accessed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_refreshed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    source_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    refresh_failures = table.Column<int>(type: "integer", nullable: false, defaultValue: 0)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channels", x => x.id);
                })
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.CreateTable(
                name: "video_tombstones",
                columns: table => new
                {
                    video_id = table.Column<string>(type: "character varying(11)", maxLength: 11, nullable: false, collation: "C"),
                    channel_id = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_video_tombstones", x => x.video_id);
                });

            migrationBuilder.CreateTable(
                name: "channel_kinds",
                columns: table => new
                {
                    channel_id = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    kind = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_channel_kinds", x => new { x.channel_id, x.kind });
                    table.ForeignKey(
                        name: "fk_channel_kinds_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "videos",
                columns: table => new
                {
                    video_id = table.Column<string>(type: "character varying(11)", maxLength: 11, nullable: false, collation: "C"),
                    channel_id = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    source_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "'epoch'::timestamptz")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_videos", x => x.video_id);
                    table.ForeignKey(
                        name: "fk_videos_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "websub_subscriptions",
                columns: table => new
                {
                    channel_id = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    mode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    renewals = table.Column<int>(type: "integer", nullable: false),
                    last_notified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_websub_subscriptions", x => x.channel_id);
                    table.ForeignKey(
                        name: "fk_websub_subscriptions_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_videos_channel_kind_latest",
                table: "videos",
                columns: new[] { "channel_id", "kind", "published_at", "video_id" },
                descending: new[] { false, false, true, true },
                filter: "kind IS NOT NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "title" });

            migrationBuilder.CreateIndex(
                name: "ix_videos_channel_latest",
                table: "videos",
                columns: new[] { "channel_id", "published_at", "video_id" },
                descending: new[] { false, true, true })
                .Annotation("Npgsql:IndexInclude", new[] { "title" });

            migrationBuilder.CreateIndex(
                name: "ix_websub_subscriptions_lease_expires_at",
                table: "websub_subscriptions",
                column: "lease_expires_at");

            using var script = typeof(Quartz.IJob).Assembly.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_postgres.sql")
                ?? throw new InvalidOperationException("The Quartz assembly no longer carries its PostgreSQL schema script.");
            using var reader = new StreamReader(script);
            // {0}: the table prefix, {1}: the same without a schema qualifier (index names).
            migrationBuilder.Sql(reader.ReadToEnd().Replace("{0}", QuartzTablePrefix).Replace("{1}", QuartzTablePrefix));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($"""
                DROP TABLE IF EXISTS {QuartzTablePrefix}fired_triggers, {QuartzTablePrefix}paused_trigger_grps, {QuartzTablePrefix}paused_job_grps,
                    {QuartzTablePrefix}scheduler_state, {QuartzTablePrefix}locks, {QuartzTablePrefix}simprop_triggers, {QuartzTablePrefix}simple_triggers,
                    {QuartzTablePrefix}cron_triggers, {QuartzTablePrefix}blob_triggers, {QuartzTablePrefix}triggers, {QuartzTablePrefix}job_details,
                    {QuartzTablePrefix}calendars, {QuartzTablePrefix}execution_history, {QuartzTablePrefix}misfire_history, {QuartzTablePrefix}job_status;
                """);

            migrationBuilder.DropTable(
                name: "channel_kinds");

            migrationBuilder.DropTable(
                name: "video_tombstones");

            migrationBuilder.DropTable(
                name: "videos");

            migrationBuilder.DropTable(
                name: "websub_subscriptions");

            migrationBuilder.DropTable(
                name: "channels");
        }
    }
}
