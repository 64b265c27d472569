import MiniBotCLI

await MiniBotCommand.runFromCommandLine()
