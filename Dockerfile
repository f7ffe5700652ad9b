# Multi-stage build: a static binary (pure-Go SQLite, no cgo) on a minimal image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# gofpdf is replaced by a patched copy (internal/third_party/gofpdf/README.md)
COPY internal/third_party/gofpdf/go.mod internal/third_party/gofpdf/
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/cqp ./cmd/cqp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cqp /cqp
ENV CQP_ADDR=:8080 CQP_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/cqp"]
CMD ["serve"]
