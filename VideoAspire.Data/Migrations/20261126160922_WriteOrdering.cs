using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VideoAspire.Data.Migrations
{
    /// <inheritdoc />
    public partial class WriteOrdering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "source_time",
                table: "videos",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "'epoch'::timestamptz");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleted_at",
                table: "channels",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "refresh_failures",
                table: "channels",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "source_time",
                table: "channels",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "source_time",
                table: "videos");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "refresh_failures",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "source_time",
                table: "channels");
        }
    }
}
