using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebSubSubscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "ix_websub_subscriptions_lease_expires_at",
                table: "websub_subscriptions",
                column: "lease_expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "video_tombstones");

            migrationBuilder.DropTable(
                name: "websub_subscriptions");
        }
    }
}
