using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <inheritdoc />
    public partial class VideoKinds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "videos",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);

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

            migrationBuilder.CreateIndex(
                name: "ix_videos_channel_kind_latest",
                table: "videos",
                columns: new[] { "channel_id", "kind", "published_at", "video_id" },
                descending: new[] { false, false, true, true },
                filter: "kind IS NOT NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "title" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "channel_kinds");

            migrationBuilder.DropIndex(
                name: "ix_videos_channel_kind_latest",
                table: "videos");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "videos");
        }
    }
}
