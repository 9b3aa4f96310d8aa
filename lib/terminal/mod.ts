/**
 * Terminal input that two programs share: the peer (its login and its scripted mode) and
 * `passwd` (the password typed twice). {@linkcode LineReader} splits a byte stream into lines;
 * {@linkcode StdinChunks} reads a line with echo off from a terminal in raw mode, through the
 * pure {@linkcode SecretEditor}, and a Ctrl-C there is an {@linkcode InterruptedError}. The
 * peer's own terminal (prompts, its line editor, notices printed over the prompt) is
 * `lib/peer/shell/terminal.ts`.
 *
 * @module
 */

export { LineReader } from "./line_reader.ts";
export { InterruptedError, SecretEditor, type SecretKey, StdinChunks } from "./hidden_input.ts";
