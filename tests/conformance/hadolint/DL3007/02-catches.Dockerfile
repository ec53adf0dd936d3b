FROM debian:latest AS builder
