using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <inheritdoc />
    public partial class WebSubCallbackTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Subscriptions made with the old, guessable callback URL are forgotten: the Worker subscribes the channels
            // again, each with a token of its own, and the old ones lapse at the hub with their leases.
            migrationBuilder.Sql("DELETE FROM websub_subscriptions;");

            migrationBuilder.AddColumn<string>(
                name: "callback_token",
                table: "websub_subscriptions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "requested_lease_seconds",
                table: "websub_subscriptions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "ix_websub_subscriptions_callback_token",
                table: "websub_subscriptions",
                column: "callback_token",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_websub_subscriptions_callback_token",
                table: "websub_subscriptions");

            migrationBuilder.DropColumn(
                name: "callback_token",
                table: "websub_subscriptions");

            migrationBuilder.DropColumn(
                name: "requested_lease_seconds",
                table: "websub_subscriptions");
        }
    }
}
