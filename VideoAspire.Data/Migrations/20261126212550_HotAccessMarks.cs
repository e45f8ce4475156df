using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <inheritdoc />
    public partial class HotAccessMarks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_channels_last_accessed_at",
                table: "channels");

            migrationBuilder.AlterTable(
                name: "channels")
                .Annotation("Npgsql:StorageParameter:fillfactor", 70);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "channels")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 70);

            migrationBuilder.CreateIndex(
                name: "ix_channels_last_accessed_at",
                table: "channels",
                column: "last_accessed_at");
        }
    }
}
